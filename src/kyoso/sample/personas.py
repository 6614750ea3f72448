"""The personas of the sample region (and of the tests): who they are and the role each holds.

Everyone here is invented and works only for invented organisations (``sample:…``, created by
``region.SAMPLE_ORGANIZATIONS``): no persona speaks or acts for a real public body, university or company.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Persona:
    username: str
    display_name: str
    name_en: str
    role: str | None  # venue role in the sample venue; None: no role
    organization_key: str  # "sample:<key>" of an invented organisation (region.SAMPLE_ORGANIZATIONS)
    title: str
    is_staff: bool = False


PERSONAS: tuple[Persona, ...] = (
    Persona("secretariat", "浜松 花子（自治体職員・サンプル）", "Hanako Hamamatsu (sample)", "secretariat",
            "sample:city", "産業振興課 主任"),
    Persona("ura", "遠州 一郎（URA・サンプル）", "Ichiro Enshu (sample)", "member_representative",
            "sample:uni", "産学連携 URA"),
    Persona("company", "天竜 美咲（企業・サンプル）", "Misaki Tenryu (sample)", "member_representative",
            "sample:enshu-seimitsu", "技術開発部 部長"),
    Persona("bank", "佐鳴 健（地域金融・サンプル）", "Ken Sanaru (sample)", "member_representative",
            "sample:enshu-mirai-bank", "法人営業部 調査役"),
    Persona("researcher", "三方原 聡（研究者・サンプル）", "Satoshi Mikatahara (sample)", "researcher",
            "sample:uni", "准教授"),
    Persona("observer", "霞 一（国の担当官・サンプル）", "Hajime Kasumi (sample)", "observer",
            "sample:national-programme", "プログラムオフィサー"),
    Persona("resident", "中田島 砂（住民・サンプル）", "Suna Nakatajima (sample)", None,
            "sample:residents-forum", "会員"),
    Persona("admin", "管理者（サンプル）", "Administrator (sample)", None, "sample:city", "システム管理",
            is_staff=True),
)
