"""The functional core: pure values and functions. No I/O, no clock, no
threads, no environment; a test holds every module here to that."""
