"""Open311 GeoReport v2 payloads (https://wiki.open311.org/GeoReport_v2), JSON format."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from backend_stub.text import CleanLine, CleanText

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

    api_key: Annotated[str, CleanLine(200, min_len=0)] | None = None
    jurisdiction_id: Annotated[str, CleanLine(100, min_len=0)] | None = None
    service_code: Annotated[str, CleanLine(32, min_len=0)] | None = None
    lat: float | None = Field(default=None, ge=-90, le=90)
    long: float | None = Field(default=None, ge=-180, le=180)
    address_string: Annotated[str, CleanText(300, min_len=0)] | None = None
    address_id: Annotated[str, CleanLine(100, min_len=0)] | None = None
    email: Annotated[str, CleanLine(254, min_len=0)] | None = None
    device_id: Annotated[str, CleanLine(100, min_len=0)] | None = None
    account_id: Annotated[str, CleanLine(100, min_len=0)] | None = None
    first_name: Annotated[str, CleanLine(100, min_len=0)] | None = None
    last_name: Annotated[str, CleanLine(100, min_len=0)] | None = None
    phone: Annotated[str, CleanLine(40, min_len=0)] | None = None
    description: Annotated[str, CleanText(4000, min_len=0)] | None = None
    media_url: Annotated[str, CleanLine(1000, min_len=0)] | None = None


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
