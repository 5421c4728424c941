"""OCI Generative AI provider."""
