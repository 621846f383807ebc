"""The OpenAPI 3.1 description and its readable page, served by the app."""

from survey.api.endpoints import api


def test_openapi_description_is_served_and_uses_the_definition_models(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.1")
    survey_def = schema["components"]["schemas"]["SurveyDef"]
    assert "translations" not in survey_def["properties"]  # refused on input, so never described
    title = survey_def["properties"]["title"]["anyOf"]
    assert {"type": "string", "minLength": 1, "maxLength": 200} == title[0] and title[1]["type"] == "object"
    put = schema["paths"]["/api/v1/surveys/{slug}/definition"]["put"]
    assert put["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/SurveyDef"}
    for path in schema["paths"].values():
        for operation in path.values():
            for code, response in operation["responses"].items():
                if int(code) >= 400:
                    assert list(response["content"]) == ["application/problem+json"]


def test_readable_page_lists_every_operation_and_loads_nothing_from_elsewhere(client):
    page = client.get("/api/v1/docs").content.decode()
    for path in api.get_openapi_schema()["paths"]:
        assert path in page
    assert "<script" not in page and "cdn" not in page.lower()
    assert "Read the released figures" in page
