"""The shop's logo: stored in every size for those who manage the shop, audited for agents, never for strangers."""

import io
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest
from PIL import Image

from marketplace.agents import service as agents
from marketplace.agents.models import AssistedMerchantCreate
from marketplace.media import ImagePipeline, ImageRejected, LocalStorage
from marketplace.merchants import service as merchants
from marketplace.platform.audit import list_audit_log
from marketplace.platform.errors import NotFound
from tests.marketplace.factories import COMMUNE, make_agent, make_merchant, make_user


class Upload:
    """A multipart file as Litestar hands it over."""

    content_type = "image/jpeg"

    def __init__(self) -> None:
        out = io.BytesIO()
        Image.new("RGB", (300, 300), (20, 120, 60)).save(out, format="JPEG")
        self.data = out.getvalue()

    async def read(self, size: int = -1) -> bytes:
        return self.data


def stored_files(root: Path) -> list[Path]:
    return list(root.rglob("*.webp"))


async def test_logo_is_stored_for_the_shop_and_refused_to_strangers(conn: asyncpg.Connection,
                                                                    tmp_path: Path) -> None:
    owner, merchant = await make_merchant(conn)
    images = ImagePipeline(LocalStorage(tmp_path, "/media"))
    with pytest.raises(NotFound):
        await merchants.store_logo(conn, await make_user(conn), merchant.id, images, Upload())
    assert not stored_files(tmp_path)  # checked before anything is stored
    with pytest.raises(ImageRejected) as error:
        await merchants.store_logo(conn, owner, merchant.id, images, None)
    assert (error.value.status_code, error.value.code) == (400, "file_missing")
    updated = await merchants.store_logo(conn, owner, merchant.id, images, Upload())
    assert updated.logo is not None and set(updated.logo) == {"thumb", "medium", "large"}
    assert all(url.startswith("/media/") for url in updated.logo.values())
    outbox = {row["document_id"] for row in await conn.fetch("SELECT document_id FROM search_outbox")}
    assert f"merchant:{merchant.id}" in outbox


async def test_an_agents_logo_upload_is_in_the_audit_log(conn: asyncpg.Connection, tmp_path: Path) -> None:
    agent = await make_agent(conn)
    merchant = await agents.register_assisted_merchant(conn, agent, AssistedMerchantCreate(
        producer_name="Bà Hoa", producer_phone="0987654321", shop_name="Tỏi Hoa", commune_code=COMMUNE,
        address="Thôn Hậu Sanh", consent_given_by="Bà Hoa", consent_method="in_person_verbal",
        consent_at=datetime(2026, 1, 5, 9, 0, tzinfo=UTC)))
    await merchants.store_logo(conn, agent, merchant.id, ImagePipeline(LocalStorage(tmp_path, "/media")), Upload())
    assert [entry.action for entry in await list_audit_log(conn, agent, merchant.id)] == [
        "merchant.logo", "merchant.register"]
