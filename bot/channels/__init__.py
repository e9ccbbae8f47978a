"""One adapter per platform; each turns updates into `Incoming` and renders `Reply` objects."""
