"""The knowledge base: curated entries, their loader/validator, Vietnamese normalisation and search."""
