"""Assets as a moderation target (`targetType: asset`), registered from AssetsConfig.ready.

A removed asset is hidden from its uploader, its project and search until a moderator restores
it (`removed_at`); the file stays, so restoring loses nothing.
"""

from __future__ import annotations

from typing import Any

from django.utils.html import format_html, format_html_join

from assets import selectors, services
from assets.choices import AssetKind
from assets.models import Asset
from config.files import signed_url


def preview(asset: Asset) -> str:
    """The file as it is shown to a moderator or admin: the image, a player, or the summary."""
    url = signed_url(asset.file)[0] if asset.file else ""
    thumb = signed_url(asset.thumbnail)[0] if asset.thumbnail else ""
    if asset.kind == AssetKind.IMAGE:
        media = format_html('<img src="{}" alt="" style="max-width:480px;max-height:360px">', url)
    elif asset.kind == AssetKind.VIDEO:
        media = format_html(
            '<video src="{}" poster="{}" controls preload="none" style="max-width:480px"></video>',
            url,
            thumb,
        )
    elif asset.kind == AssetKind.AUDIO:
        media = format_html(
            '<img src="{}" alt="" style="max-width:480px"><br><audio src="{}" controls '
            'preload="none"></audio>',
            thumb,
            url,
        )
    else:
        media = format_html('<p><a href="{}">Open the document</a></p>', url)
    colours = format_html_join(
        "",
        '<span title="{}" style="display:inline-block;width:24px;height:24px;'
        'background:{}"></span>',
        ((c["name"], c["hex"]) for c in asset.technical.get("palette", [])),
    )
    return format_html(
        "{}<p>{}</p><p style='white-space:pre-wrap;max-width:60em'>{}</p><p>{}</p>",
        media,
        colours,
        asset.analysis.get("description") or asset.description,
        f"{asset.mime_type} · {asset.size} bytes · {asset.status}",
    )


def _remove(asset: Asset) -> dict[str, Any]:
    return services.asset_mark_removed(asset=asset)


def _restore(asset: Asset, state: dict[str, Any]) -> None:
    services.asset_mark_restored(asset=asset)


def _lookup(target_id: str, viewer: Any) -> Asset | None:
    access = selectors.asset_access_for(user=viewer, asset_id=target_id)
    return access.asset if access else None


def register() -> None:
    """Make assets reportable and removable by moderators, who see them in the admin."""
    from moderation.permissions import register_moderator_permissions
    from moderation.targets import register_target

    register_moderator_permissions(("assets", "view_asset"))
    register_target(
        "asset",
        model=Asset,
        lookup=_lookup,
        owner=lambda asset: asset.owner,
        describe=lambda asset: f"Asset “{asset.name}”",
        remove=_remove,
        restore=_restore,
        is_removed=lambda asset: asset.removed_at is not None,
        admin_preview=preview,
    )
