import urllib.request
from datetime import timedelta

import pytest
from django.utils import timezone

from apikeys.services import api_key_create
from conftest import PASSWORD
from usage.models import Direction, Service
from usage.services import record, usage_flush, usage_rollup

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, account_id):
    page.goto("/accounts/login/")
    page.get_by_label("Account ID or email").fill(account_id)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/dashboard/")


def operations_shown(page) -> int:
    return int(page.get_by_test_id("month-operations").inner_text().replace(",", ""))


def test_this_months_count_rises_after_api_calls_and_the_chart_renders(page, live_server, team_owner, screenshot):
    key, secret = api_key_create(account=team_owner, name="ci")
    now = timezone.now()
    domain = team_owner.domains.create(name="mail.acme.test")
    for back in range(1, 6):
        at = now - timedelta(days=31 * back)
        record(account=team_owner, service=Service.API, key=key, count=40_000 * back, at=at)
        record(
            account=team_owner,
            service=Service.CAPTURE,
            domain=domain,
            direction=Direction.INBOUND,
            size=7_340_032,
            count=300,
            at=at,
        )
        record(
            account=team_owner,
            service=Service.WEBHOOK,
            domain=domain,
            direction=Direction.OUTBOUND,
            size=90_000,
            count=45,
            at=at,
        )
    usage_flush(now=now + timedelta(hours=2))
    usage_rollup()

    sign_in(page, "teamowner")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="API Usage").click()
    page.wait_for_url("**/usage/")
    before = operations_shown(page)

    for _ in range(3):
        request = urllib.request.Request(f"{live_server.url}/api/me", headers={"Mailsac-Key": secret})
        with urllib.request.urlopen(request) as response:
            assert response.status == 200
    page.reload()
    assert operations_shown(page) == before + 3

    chart = page.get_by_role("img", name="Operations per month, last 12 months")
    assert chart.is_visible()
    bars = page.locator(".chart-bar rect")
    assert bars.count() == 12
    heights = [float(bars.nth(i).get_attribute("height")) for i in range(12)]
    assert sum(1 for height in heights if height > 0) == 6
    assert page.get_by_role("cell", name="mail.acme.test").first.is_visible()
    screenshot(page, "usage")

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert chart.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "usage-phone")


def within(inner, outer) -> bool:
    return outer["x"] - 1 <= inner["x"] and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 1


def test_on_a_phone_the_chart_opens_at_this_month_and_the_months_stay_beside_their_numbers(page, team_owner):
    now = timezone.now()
    for back in range(12):
        record(account=team_owner, service=Service.API, count=100 * (back + 1), at=now - timedelta(days=31 * back))
    usage_flush(now=now + timedelta(hours=2))
    usage_rollup()
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "teamowner")
    page.goto("/usage/")

    scroller = page.locator(".chart-scroll")
    box = scroller.bounding_box()
    assert page.evaluate("(box) => box.scrollWidth > box.clientWidth", scroller.element_handle())
    assert within(page.locator(".chart-bar.is-current rect").bounding_box(), box)
    assert not within(page.locator(".chart-bar rect").first.bounding_box(), box)
    # The keyboard reaches the chart and scrolls it back to the older months.
    region = page.get_by_role("region", name="Operations per month, last 12 months (scrolls sideways)")
    region.focus()
    at_this_month = scroller.evaluate("(box) => box.scrollLeft")
    assert at_this_month > 0
    page.keyboard.press("ArrowLeft")
    page.wait_for_function(f"(box) => box.scrollLeft < {at_this_month}", arg=scroller.element_handle())

    history = page.get_by_role("table", name="Operations per month")
    wrap = history.locator("xpath=..")
    wrap.evaluate("(box) => { box.scrollLeft = box.scrollWidth; }")
    month = history.locator("tbody th[scope='row']").first
    assert within(month.bounding_box(), wrap.bounding_box())
    assert within(history.get_by_role("columnheader", name="Outbound bandwidth").bounding_box(), wrap.bounding_box())


def test_a_chart_that_fits_the_screen_is_no_extra_tab_stop(page, team_owner):
    sign_in(page, "teamowner")
    page.goto("/usage/")
    scroller = page.locator(".chart-scroll")
    assert scroller.get_attribute("tabindex") is None
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_function("(box) => box.tabIndex === 0", arg=scroller.element_handle())
    page.set_viewport_size({"width": 1280, "height": 900})
    page.wait_for_function("(box) => !box.hasAttribute('tabindex')", arg=scroller.element_handle())
    assert scroller.get_attribute("role") is None
