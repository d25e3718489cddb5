"""The fixed catalogue of services a worker can offer."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from gigsta.domain.core import ErrorCode, UserError, too_long

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


# A worker lists each catalogue service at most once; the bound leaves room
# for a catalogue that grows.
MAX_SERVICES_PER_WORKER = 20
MAX_SERVICE_KEY_LENGTH = 40
# How many unknown keys an error message repeats back, each cut to the key
# length: the message must not grow with what a client sends.
_ECHOED_UNKNOWN = 5


def validate_services(services: list[str], field: str = "services") -> list[UserError]:
    if len(services) > MAX_SERVICES_PER_WORKER:
        return [too_long(field, MAX_SERVICES_PER_WORKER, "services")]
    unknown = sorted({key for key in services if key not in SERVICE_CATALOGUE})
    if unknown:
        shown = [key[:MAX_SERVICE_KEY_LENGTH] for key in unknown[:_ECHOED_UNKNOWN]]
        more = " and others" if len(unknown) > _ECHOED_UNKNOWN else ""
        return [
            UserError(
                field,
                ErrorCode.UNKNOWN_SERVICE,
                f"Unknown service(s): {', '.join(shown)}{more}. "
                "Choose from the `services` query.",
            )
        ]
    return []
