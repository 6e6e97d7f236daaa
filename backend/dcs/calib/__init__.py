"""The calibration-constants store: HDF5 files per detector (LCLS DCStore format), a database index,
exact resolution, work-spaces and psana interop."""

from .dcstore import DCBase, DCRange, DCStore, DCType, DCVersion  # noqa: E402,F401  (the seed's API)
