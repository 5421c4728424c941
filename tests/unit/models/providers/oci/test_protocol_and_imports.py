"""The OCI model classes satisfy the Model protocol; importing them never imports the oci SDK."""

from __future__ import annotations

import locus.models.openai_compatible as openai_compatible
import locus.models.providers.oci as oci
from locus.core.model import Model


def test_models_satisfy_the_protocol() -> None:
    dac = "ocid1.generativeaiendpoint.oc1.us-chicago-1.amaaaaaaexample"
    assert isinstance(oci.OCIModel(model_id=dac), Model)
    assert isinstance(oci.OCIChatCompletionsModel("xai.grok-4", region="us-chicago-1"), Model)
    model = openai_compatible.OpenAICompatibleModel("m", base_url="http://127.0.0.1:1/v1")
    assert isinstance(model, Model)


def test_importing_the_provider_does_not_import_the_oci_sdk() -> None:
    import subprocess
    import sys

    code = "import sys, locus.models.providers.oci; print('oci' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "False"
