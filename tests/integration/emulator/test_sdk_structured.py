"""The official ``oci`` SDK as the client: a ``JsonSchemaResponseFormat`` request is
accepted and answered with JSON that validates against its schema."""

from __future__ import annotations

import json

from pydantic import BaseModel

from locus.core._output_schema import output_schema
from locus.emulator import Emulator

from ._helpers import MODELS, on_demand, sdk_client, user_text


class City(BaseModel):
    name: str
    population: int
    districts: list[str]


def test_json_schema_response_format_from_the_sdk(oci_emulator: Emulator) -> None:
    schema = output_schema(City)
    request = MODELS.GenericChatRequest(
        messages=[user_text("Tell me about Paris: 2100000 people.")],
        response_format=MODELS.JsonSchemaResponseFormat(
            json_schema=MODELS.ResponseJsonSchema(
                name=schema.name, schema=schema.json_schema, is_strict=False
            )
        ),
    )
    details = MODELS.ChatDetails(
        compartment_id=oci_emulator.compartment_id,
        serving_mode=on_demand("meta.llama-3.3-70b-instruct"),
        chat_request=request,
    )
    answer = sdk_client(oci_emulator).chat(details).data
    text = answer.chat_response.choices[0].message.content[0].text
    city = schema.validate_json(text)
    assert city == City(name="Paris", population=2100000, districts=["districts"])
    assert json.loads(text)["name"] == "Paris"
