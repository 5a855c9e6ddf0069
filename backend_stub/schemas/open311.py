"""Open311 GeoReport v2 payloads (https://wiki.open311.org/GeoReport_v2), JSON format."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

W3CDateTime = Annotated[
    str,
    Field(
        description="W3C datetime with a numeric offset, Asia/Almaty time",
        examples=["2026-07-12T09:30:00+05:00"],
        json_schema_extra={"format": "date-time"},
    ),
]


class Open311Error(BaseModel):
    code: int = Field(description="the HTTP status", examples=[400])
    description: str


class Service(BaseModel):
    service_code: str = Field(description="the classifier subclass code", examples=["01.01"])
    service_name: str
    description: str
    metadata: bool = Field(description="true: GET /services/{service_code}.json has attributes")
    type: Literal["realtime", "batch", "blackbox"]
    keywords: str = Field(description="comma-separated")
    group: str = Field(description="the classifier class name")


class AttributeValue(BaseModel):
    key: str
    name: str


class ServiceAttribute(BaseModel):
    variable: bool
    code: str
    datatype: Literal["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]
    required: bool
    datatype_description: str | None
    order: int
    description: str
    values: list[AttributeValue] = Field(default_factory=list)


class ServiceDefinition(BaseModel):
    service_code: str
    attributes: list[ServiceAttribute]


class ServiceRequestIn(BaseModel):
    """The form fields of POST /requests.json (`attribute[code]=value` fields come besides)."""

    model_config = ConfigDict(extra="ignore")

    api_key: str | None = Field(default=None, max_length=200)
    jurisdiction_id: str | None = Field(default=None, max_length=100)
    service_code: str | None = Field(default=None, max_length=32)
    lat: float | None = Field(default=None, ge=-90, le=90)
    long: float | None = Field(default=None, ge=-180, le=180)
    address_string: str | None = Field(default=None, max_length=300)
    address_id: str | None = Field(default=None, max_length=100)
    email: str | None = Field(default=None, max_length=254)
    device_id: str | None = Field(default=None, max_length=100)
    account_id: str | None = Field(default=None, max_length=100)
    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, max_length=40)
    description: str | None = Field(default=None, max_length=4000)
    media_url: str | None = Field(default=None, max_length=1000)


class ServiceRequestCreated(BaseModel):
    service_request_id: str = Field(examples=["109-2607-000042"])
    service_notice: str | None
    account_id: str | None = None


class ServiceRequest(BaseModel):
    service_request_id: str = Field(examples=["109-2607-000042"])
    status: Literal["open", "closed"]
    status_notes: str | None
    service_name: str | None
    service_code: str
    description: str | None
    agency_responsible: str | None
    service_notice: str | None
    requested_datetime: W3CDateTime
    updated_datetime: W3CDateTime
    expected_datetime: W3CDateTime | None
    address: str | None
    address_id: str | None = None
    zipcode: str | None = None
    lat: float | None
    long: float | None
    media_url: str | None
