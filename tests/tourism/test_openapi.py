"""Tourism's API is described in the app's OpenAPI schema."""


async def test_openapi_schema_lists_tourism_endpoints(client) -> None:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    for path in (
        "/api/v1/attractions",
        "/api/v1/attractions/{slug}",
        "/api/v1/attractions.geojson",
        "/api/v1/events.ics",
        "/api/v1/trips/{share_token}/plan",
        "/api/v1/nearby",
    ):
        assert path in paths, path
    create = paths["/api/v1/attractions"]["post"]
    assert create["tags"] == ["tourism"]
    assert "AttractionCreate" in str(create["requestBody"])
    hours = schema["components"]["schemas"]["OpeningHours"]["properties"]
    assert {"weekly", "exceptions", "closures", "always_open"} <= set(hours)
