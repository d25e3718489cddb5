"""The fixed catalogue of services a worker can offer."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from gigsta.domain.core import ErrorCode, UserError

SERVICE_CATALOGUE: Mapping[str, str] = MappingProxyType(
    {
        "cleaning": "Cleaning",
        "gardening": "Gardening",
        "moving": "Moving",
        "handyman": "Handyman",
        "painting": "Painting",
        "furniture_assembly": "Furniture assembly",
        "pet_care": "Pet care",
    }
)


def validate_services(services: list[str], field: str = "services") -> list[UserError]:
    unknown = [key for key in services if key not in SERVICE_CATALOGUE]
    if unknown:
        return [
            UserError(
                field,
                ErrorCode.UNKNOWN_SERVICE,
                f"Unknown service(s): {', '.join(sorted(set(unknown)))}. "
                "Choose from the `services` query.",
            )
        ]
    return []
