"""appchat-reconciler: WeCom app-chat membership as code."""

__version__ = "0.1.0"
