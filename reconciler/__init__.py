"""appchat-reconciler: WeCom app-chat membership as code."""

try:  # written by setuptools-scm when the package is built or installed (pyproject.toml)
    from reconciler._version import version as __version__
except ImportError:  # a source tree run without installing it
    __version__ = "0+unknown"
