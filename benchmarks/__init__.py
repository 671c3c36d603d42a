"""Performance scripts behind `make bench`, and the generator of synthetic logs."""
