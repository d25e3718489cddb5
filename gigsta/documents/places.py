"""Addresses embedded in bookings and worker profiles, with a GeoJSON point."""

from __future__ import annotations

from dataclasses import asdict
from typing import Literal

from pydantic import BaseModel

from gigsta.domain.places import Address


class GeoPoint(BaseModel):
    """GeoJSON Point; note the order: `[longitude, latitude]`."""

    type: Literal["Point"] = "Point"
    coordinates: tuple[float, float]

    @classmethod
    def at(cls, latitude: float, longitude: float) -> GeoPoint:
        return cls(coordinates=(longitude, latitude))

    @property
    def latitude(self) -> float:
        return self.coordinates[1]

    @property
    def longitude(self) -> float:
        return self.coordinates[0]


class PlaceAddress(BaseModel):
    formatted: str
    street_number: str | None = None
    street: str | None = None
    locality: str | None = None
    city: str | None = None
    region: str | None = None
    postcode: str | None = None
    country: str
    location: GeoPoint

    @classmethod
    def from_domain(cls, address: Address) -> PlaceAddress:
        """The stored form: the address's own fields, its coordinates as a point."""
        fields = asdict(address)
        location = GeoPoint.at(fields.pop("latitude"), fields.pop("longitude"))
        return cls(**fields, location=location)

    def to_domain(self) -> Address:
        return Address(
            **self.model_dump(exclude={"location"}),
            latitude=self.location.latitude,
            longitude=self.location.longitude,
        )
