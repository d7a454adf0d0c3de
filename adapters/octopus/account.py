"""Octopus's OAuth 2.0 server and REST API over HTTP (CONTRACTS §6)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
import msgspec

from adapters.bounded_body import body_within
from application.errors import Forbidden, Unavailable
from application.ports.clock import Clock
from application.ports.octopus import OctopusAccount, OctopusTokens
from domain.dossier import Dossier

MAX_BODY = 5 * 1024 * 1024
REFUSED_GRANTS = frozenset({"invalid_grant", "invalid_client", "unauthorized_client", "access_denied"})


class _TokenAnswer(msgspec.Struct):
    access_token: str
    refresh_token: str
    expires_in: int


class _DossierKey(msgspec.Struct):
    id: int


class _Dossier(msgspec.Struct, rename="camel"):
    dossier_key: _DossierKey
    dossier_description: str = ""
    vat_nr: str | None = None
    email: str | None = None


class _Error(msgspec.Struct, rename="camel"):
    error_code: Any = None
    error_message: str = ""
    technical_info: str | None = None


class HttpOctopusAccount(OctopusAccount):
    """The authorization-code flow with PKCE (S256) and `GET /dossiers` with the `Token` header.

    Octopus refusing a code, a refresh token or an access token is `Forbidden`; Octopus down,
    slow, or answering something unreadable is `Unavailable`. Each `dossiers` is one call to
    Octopus: `DossierCatalogue` keeps the count within Octopus's daily limit.
    """

    def __init__(
        self,
        *,
        oauth_url: str,
        api_url: str,
        client_id: str,
        client_secret: str,
        redirect_uri: str,
        clock: Clock,
        http: httpx.AsyncClient,
    ) -> None:
        self._oauth = oauth_url.rstrip("/")
        self._api = api_url.rstrip("/")
        self._client = (client_id, client_secret)
        self._redirect_uri = redirect_uri
        self._clock = clock
        self._http = http

    def authorize_url(self, state: str, code_challenge: str) -> str:
        query = {
            "scope": "webservice",
            "response_type": "code",
            "client_id": self._client[0],
            "redirect_uri": self._redirect_uri,
            "state": state,
            "code_challenge": code_challenge,
            "code_challenge_method": "S256",
        }
        return f"{self._oauth}/authorize?{urlencode(query)}"

    async def exchange_code(self, code: str, code_verifier: str) -> OctopusTokens:
        return await self._token(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": self._redirect_uri,
                "code_verifier": code_verifier,
            }
        )

    async def refresh(self, refresh_token: str) -> OctopusTokens:
        return await self._token({"grant_type": "refresh_token", "refresh_token": refresh_token})

    async def dossiers(self, partner_id: str, access_token: str) -> list[Dossier]:
        response = await self._send("GET", f"{self._api}/dossiers", headers={"Token": access_token})
        if response.status_code != 200:
            raise _api_error(response)
        try:
            found = msgspec.json.decode(response.content, type=list[_Dossier])
        except msgspec.DecodeError as exc:
            raise Unavailable("Octopus answered the dossier list with something unreadable") from exc
        return [
            Dossier(
                id=d.dossier_key.id, name=d.dossier_description, vat_number=d.vat_nr or None, mailbox=d.email
            )
            for d in found
        ]

    async def _token(self, form: dict[str, str]) -> OctopusTokens:
        client_id, client_secret = self._client
        form = {**form, "client_id": client_id, "client_secret": client_secret}
        response = await self._send("POST", f"{self._oauth}/token", data=form)
        if response.status_code in (400, 401, 403):
            reason = _oauth_error(response)
            if response.status_code != 400 or reason in REFUSED_GRANTS:
                raise Forbidden(f"Octopus refused the login ({reason})")
            raise Unavailable(f"Octopus did not accept the token request ({reason})")
        if response.status_code != 200:
            raise Unavailable(f"Octopus's token endpoint answered {response.status_code}")
        try:
            answer = msgspec.json.decode(response.content, type=_TokenAnswer)
        except msgspec.DecodeError as exc:
            raise Unavailable("Octopus's token endpoint answered something unreadable") from exc
        expires_at = self._clock.now() + timedelta(seconds=answer.expires_in)
        return OctopusTokens(answer.access_token, answer.refresh_token, expires_at)

    async def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Octopus's answer, its body read no further than `MAX_BODY`."""
        try:
            async with self._http.stream(method, url, **kwargs) as streamed:
                body = await body_within(streamed, MAX_BODY)
        except httpx.TransportError as exc:
            raise Unavailable(f"Octopus cannot be reached: {type(exc).__name__}") from exc
        if body is None:
            raise Unavailable(f"Octopus answered with more than {MAX_BODY} bytes")
        return httpx.Response(streamed.status_code, content=body)


def _oauth_error(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    return str(body.get("error") or f"HTTP {response.status_code}") if isinstance(body, dict) else "?"


def _api_error(response: httpx.Response) -> Forbidden | Unavailable:
    """An Octopus error body `{"errorCode", "errorMessage", "technicalInfo"}` as an application error."""
    try:
        error = msgspec.json.decode(response.content, type=_Error)
        detail = error.error_message or f"error {error.error_code}"
    except msgspec.DecodeError:
        detail = f"HTTP {response.status_code}"
    if response.status_code in (401, 403):
        return Forbidden(f"Octopus refused the access token: {detail}")
    return Unavailable(f"Octopus answered {response.status_code}: {detail}")
