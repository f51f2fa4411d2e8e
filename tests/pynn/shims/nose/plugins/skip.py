from unittest import SkipTest  # noqa: F401 (pytest reports it as a skip)
