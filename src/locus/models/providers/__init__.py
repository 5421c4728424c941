"""Model providers: one subpackage per service (``locus.models.providers.oci``)."""

__all__: list[str] = []
