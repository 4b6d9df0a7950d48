"""The operator's dashboard, in a real browser: charts of what just happened, the search logs."""

from analytics.selectors import occupancy_of_next_runs
from bookings import services
from tests.browser.helpers import demo_trains, search, sign_in
from tests.factories import make_user
from web.templatetags.money import inr


def test_dashboard_charts_what_was_just_booked_and_lists_the_searches_just_made(tab, search_log_store):
    train = demo_trains()
    # The Rajdhani's next run: the dashboard shows each train's next run.
    travel_date = next(row["run_date"] for row in occupancy_of_next_runs() if row["train"].pk == train.pk)
    passenger = make_user("traveller")
    services.book_seats(user=passenger, train=train, travel_date=travel_date, seats=3, class_code="SL")
    services.book_seats(
        user=passenger, train=train, travel_date=travel_date, seats=2, class_code="3A", from_station="Kota Junction"
    )
    make_user("operator", role="ADMIN")
    page = tab.page

    sign_in(tab, "traveller", name="sign-in-passenger")
    search(tab, "New Delhi", "Mumbai Central", travel_date)
    search(tab, "new delhi", "bhopal", travel_date, name="search-results-bhopal")
    page.get_by_role("button", name="Sign out").click()
    assert search_log_store.flush(10)

    sign_in(tab, "operator", name="sign-in-operator")
    tab.visit("/dashboard/", "dashboard")
    assert page.locator("#figure-bookings").inner_text() == "2"
    assert page.locator("#figure-seats-sold").inner_text() == "5"
    for chart in ("bookings-chart", "classes-chart", "routes-chart", "latency-chart"):
        drawn = page.locator(f"#{chart}").evaluate("canvas => Boolean(canvas.chart) && canvas.width > 0")
        assert drawn, f"{chart} was not drawn"
    chart_rows = page.evaluate(
        "() => ({bookings: document.getElementById('bookings-chart').chart.data.datasets[1].data.at(-1),"
        " routes: document.getElementById('routes-chart').chart.data.labels,"
        " classes: document.getElementById('classes-chart').chart.data.labels,"
        " class_seats: document.getElementById('classes-chart').chart.data.datasets[0].data,"
        " p50: document.getElementById('latency-chart').chart.data.datasets[0].data.at(-1)})"
    )
    assert chart_rows["bookings"] == 5
    assert sorted(chart_rows["routes"]) == ["New Delhi → Bhopal", "New Delhi → Mumbai Central"]
    assert chart_rows["p50"] > 0
    assert (chart_rows["classes"], chart_rows["class_seats"]) == (["SL", "3A"], [3, 2])
    # Both bookings cross Kota - Vadodara: 5 of the train's 136 seats taken on that segment; the
    # other trains' next runs are there too, at 0%.
    assert "5/136" in page.locator('table.occupancy tr[data-train="12952"]').inner_text()
    assert "4%" in page.locator('table.occupancy tr[data-train="12952"]').inner_text()
    assert "0%" in page.locator('table.occupancy tr[data-train="12002"]').inner_text()
    fares = sum(booking.fare for booking in passenger.bookings.all())
    assert page.locator("#figure-revenue").inner_text() == f"₹{inr(fares)}"

    logs = page.locator("#search-logs tr.log-row")
    logs.first.wait_for()
    assert logs.count() == 2
    assert all("traveller" in row.inner_text() and "/search/" in row.inner_text() for row in logs.all())
    page.locator(".log-filter").get_by_label("To").fill("Bhopal")
    page.locator(".log-filter").get_by_role("button", name="Filter").click()
    page.wait_for_function("document.querySelectorAll('#search-logs tr.log-row').length === 1")
    assert "new delhi → bhopal" in logs.first.inner_text()
    tab.check("dashboard-filtered")
    tab.visit(f"/dashboard/search-logs/?user={passenger.pk}&status=200", "search-logs")
    assert page.locator("tr.log-row").count() == 2


def test_a_passenger_is_refused_the_dashboard(tab):
    make_user("nosy")
    sign_in(tab, "nosy")
    tab.visit("/dashboard/", "dashboard-refused", expect_status=403)
    assert tab.page.get_by_role("heading", level=1).inner_text() == "Not for this account"
    assert tab.page.get_by_role("link", name="Dashboard").count() == 0
