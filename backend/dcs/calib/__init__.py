"""The calibration-constants store: HDF5 files per detector (LCLS DCStore format), a database index,
exact resolution, work-spaces and psana interop."""
