"""A local stand-in for Addressable.dev's autocomplete, serving DEMO DATA.

`make run` starts it when ADDRESSABLE_API_KEY is not set, so address search
works offline. It knows only the few dozen sample NZ and AU addresses below
(real streets, approximate coordinates) and answers `GET /v2/autocomplete`
with the same shape as the real API: a JSON list of results, coordinates
sometimes as strings. Every response carries `X-Demo-Data: true`.

Run it alone with `python -m scripts.standins.addressable --port 8765`.
"""

from __future__ import annotations

import argparse
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from gigsta.domain.places import Address
from gigsta.integrations.addressable import parse_suggestion
from scripts.processes import Process, free_port, http_answers, start_ready

DEMO_API_KEY = "demo-addressable-key"

# (street_number, street, locality, city, region, postcode, lat, lon)
_NZ = [
    (
        "1",
        "Queen Street",
        "Auckland Central",
        "Auckland",
        "Auckland",
        "1010",
        -36.8437,
        174.7669,
    ),
    (
        "100",
        "Ponsonby Road",
        "Ponsonby",
        "Auckland",
        "Auckland",
        "1011",
        -36.8550,
        174.7470,
    ),
    ("25", "Broadway", "Newmarket", "Auckland", "Auckland", "1023", -36.8695, 174.7780),
    (
        "12",
        "Hurstmere Road",
        "Takapuna",
        "Auckland",
        "Auckland",
        "0622",
        -36.7875,
        174.7735,
    ),
    (
        "45",
        "Mount Eden Road",
        "Mount Eden",
        "Auckland",
        "Auckland",
        "1024",
        -36.8690,
        174.7620,
    ),
    (
        "60",
        "Tamaki Drive",
        "Mission Bay",
        "Auckland",
        "Auckland",
        "1071",
        -36.8480,
        174.8320,
    ),
    (
        "15",
        "Lambie Drive",
        "Manukau",
        "Auckland",
        "Auckland",
        "2104",
        -36.9925,
        174.8820,
    ),
    (
        "2",
        "Lambton Quay",
        "Wellington Central",
        "Wellington",
        "Wellington",
        "6011",
        -41.2790,
        174.7790,
    ),
    (
        "150",
        "Cuba Street",
        "Te Aro",
        "Wellington",
        "Wellington",
        "6011",
        -41.2950,
        174.7750,
    ),
    (
        "30",
        "Oriental Parade",
        "Oriental Bay",
        "Wellington",
        "Wellington",
        "6011",
        -41.2905,
        174.7880,
    ),
    (
        "10",
        "Cashel Street",
        "Christchurch Central",
        "Christchurch",
        "Canterbury",
        "8011",
        -43.5330,
        172.6340,
    ),
    (
        "55",
        "Riccarton Road",
        "Riccarton",
        "Christchurch",
        "Canterbury",
        "8041",
        -43.5300,
        172.6000,
    ),
    (
        "200",
        "Victoria Street",
        "Hamilton Central",
        "Hamilton",
        "Waikato",
        "3204",
        -37.7870,
        175.2800,
    ),
    (
        "50",
        "George Street",
        "Dunedin Central",
        "Dunedin",
        "Otago",
        "9016",
        -45.8700,
        170.5030,
    ),
    (
        "20",
        "The Strand",
        "Tauranga",
        "Tauranga",
        "Bay of Plenty",
        "3110",
        -37.6840,
        176.1690,
    ),
    (
        "5",
        "Marine Parade",
        "Napier South",
        "Napier",
        "Hawke's Bay",
        "4110",
        -39.4930,
        176.9200,
    ),
]
# (street_number, street, locality, state, postcode, lat, lon)
_AU = [
    ("1", "Martin Place", "Sydney", "NSW", "2000", -33.8675, 151.2100),
    ("100", "King Street", "Newtown", "NSW", "2042", -33.8970, 151.1790),
    ("50", "Campbell Parade", "Bondi Beach", "NSW", "2026", -33.8910, 151.2770),
    ("12", "Darling Street", "Balmain", "NSW", "2041", -33.8580, 151.1800),
    ("30", "Church Street", "Parramatta", "NSW", "2150", -33.8150, 151.0030),
    ("200", "Bourke Street", "Melbourne", "VIC", "3000", -37.8130, 144.9680),
    ("80", "Chapel Street", "Windsor", "VIC", "3181", -37.8560, 144.9930),
    ("15", "Lygon Street", "Carlton", "VIC", "3053", -37.8030, 144.9670),
    ("120", "Queen Street", "Brisbane City", "QLD", "4000", -27.4690, 153.0260),
    ("20", "Cavill Avenue", "Surfers Paradise", "QLD", "4217", -28.0020, 153.4290),
    ("100", "St Georges Terrace", "Perth", "WA", "6000", -31.9550, 115.8590),
    ("10", "Rundle Mall", "Adelaide", "SA", "5000", -34.9230, 138.6010),
    ("25", "Elizabeth Street", "Hobart", "TAS", "7000", -42.8820, 147.3290),
    ("5", "London Circuit", "Canberra", "ACT", "2601", -35.2800, 149.1300),
]


def _nz(row: tuple[Any, ...], index: int) -> dict[str, Any]:
    number, street, locality, city, region, postcode, lat, lon = row
    return {
        "formatted": f"{number} {street}, {locality}, {city} {postcode}",
        "street_number": number,
        "street": street,
        "locality": locality,
        "city": city,
        "region": region,
        "postcode": postcode,
        "country_code": "NZ",
        # The real API sends coordinates as numbers or as strings; so do we.
        "lat": str(lat) if index % 2 else lat,
        "lon": str(lon) if index % 2 else lon,
    }


def _au(row: tuple[Any, ...], index: int) -> dict[str, Any]:
    number, street, locality, state, postcode, lat, lon = row
    return {
        "formatted": f"{number} {street}, {locality} {state} {postcode}",
        "street_number": number,
        "street": street,
        "locality": locality,
        "region": state,
        "postcode": postcode,
        "country_code": "AU",
        "lat": str(lat) if index % 2 else lat,
        "lon": str(lon) if index % 2 else lon,
    }


DEMO_ADDRESSES: list[dict[str, Any]] = [_nz(r, i) for i, r in enumerate(_NZ)] + [
    _au(r, i) for i, r in enumerate(_AU)
]


def demo_place(formatted: str) -> Address:
    """One demo address, normalised as the API client would (for the seed)."""
    (item,) = [a for a in DEMO_ADDRESSES if a["formatted"] == formatted]
    address = parse_suggestion(item, item["country_code"])
    assert address is not None
    return address


def search(query: str, country: str, max_results: int) -> list[dict[str, Any]]:
    """Results whose formatted address contains every word of `query`."""
    words = query.lower().replace(",", " ").split()
    found = [
        a
        for a in DEMO_ADDRESSES
        if a["country_code"] == country
        and all(w in a["formatted"].lower().replace(",", " ") for w in words)
    ]
    return found[: max(1, min(max_results, 10))]


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        url = urlparse(self.path)
        params = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/healthz":
            self._send(200, {"status": "ok"})
        elif url.path != "/v2/autocomplete":
            self._send(404, {"message": "Not found"})
        elif params.get("api_key") != DEMO_API_KEY:
            self._send(401, {"message": "Invalid API key"})
        else:
            self._send(
                200,
                search(
                    params.get("q", ""),
                    params.get("country_code", "NZ").upper(),
                    int(params.get("max_results", "5") or 5),
                ),
            )

    def _send(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Demo-Data", "true")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        sys.stderr.write(f"addressable-demo: {format % args}\n")


def start_addressable(
    log_path: Path, *, port: int | None = None
) -> tuple[Process, str]:
    """Start the stand-in on `port` (default: a free loopback port); return it
    and its base URL."""
    port = port or free_port()
    base_url = f"http://127.0.0.1:{port}"
    proc = start_ready(
        [sys.executable, "-m", "scripts.standins.addressable", "--port", str(port)],
        log_path,
        http_answers(f"{base_url}/healthz"),
        what="the Addressable demo stand-in",
        cwd=Path(__file__).resolve().parents[2],
    )
    return proc, base_url


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args(argv)
    server = ThreadingHTTPServer((args.host, args.port), _Handler)
    print(f"Addressable demo stand-in on http://{args.host}:{args.port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
