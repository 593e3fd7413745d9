from hypothesis import given
from hypothesis import strategies as st

from mamori.audit.config import AuditConfig
from mamori.audit.linking import guest_home_address, link_people

from builders import account, context


def test_guest_upn_is_read_back_to_the_home_address() -> None:
    assert (
        guest_home_address("k.sato_partner.co.jp#EXT#@contoso.onmicrosoft.com")
        == "k.sato@partner.co.jp"
    )
    assert guest_home_address("a_b_c.example.jp#EXT#@t.onmicrosoft.com") == "a_b@c.example.jp"
    assert guest_home_address("k.sato@contoso.co.jp") is None


@given(st.text())
def test_guest_home_address_never_raises(upn: str) -> None:
    guest_home_address(upn)


def test_one_person_across_entra_guest_aws_and_okta() -> None:
    accounts = [
        account("k.sato_partner.co.jp#EXT#@contoso.onmicrosoft.com", user_type="guest"),
        account("k.sato@partner.co.jp", source="okta", email="k.sato@partner.co.jp"),
        account("k.sato", source="aws"),
        account("t.yamada@contoso.co.jp"),
    ]
    people = {p.key: p for p in link_people(accounts, {})}
    assert {a.source for a in people["k.sato@partner.co.jp"].accounts} == {"entra", "okta", "aws"}
    assert accounts[3].person == "t.yamada@contoso.co.jp"


def test_a_bare_name_matching_two_people_is_not_linked() -> None:
    accounts = [
        account("admin@contoso.co.jp"),
        account("admin@partner.co.jp", source="okta"),
        account("admin", source="aws"),
    ]
    link_people(accounts, {})
    assert accounts[2].person == "aws:admin"


def test_configured_links_win() -> None:
    accounts = [account("ksato", source="ad"), account("kenji.sato@contoso.co.jp")]
    link_people(accounts, {"佐藤 健二": ["ad:ksato", "kenji.sato@contoso.co.jp"]})
    assert accounts[0].person == accounts[1].person == "佐藤 健二"


def test_tags_follow_configuration_and_attributes() -> None:
    config = AuditConfig.model_validate(
        {"tagging": {"break_glass": ["entra:bg-*"], "service_accounts": ["svc-*"]}}
    )
    ctx = context(
        [
            account("bg-01@contoso.co.jp"),
            account("svc-backup@contoso.co.jp"),
            account("m.ito@contoso.co.jp", employee_type="業務委託"),
            account("x_y.jp#EXT#@contoso.onmicrosoft.com"),
            account("<root_account>", source="aws", attributes={"is_root": True}),
        ],
        config=config,
    )
    tags = {a.name: a.tags for a in ctx.data.accounts}
    assert "break_glass" in tags["bg-01@contoso.co.jp"]
    assert "service" in tags["svc-backup@contoso.co.jp"]
    assert {"contractor", "external"} <= tags["m.ito@contoso.co.jp"]
    assert {"guest", "external"} <= tags["x_y.jp#EXT#@contoso.onmicrosoft.com"]
    assert "root" in tags["<root_account>"]
