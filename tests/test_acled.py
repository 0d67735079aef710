"""geo.app.acled: ACLED exports read with every bad row named, and agreement with extracted events."""

from __future__ import annotations

import pytest

from geo.app.acled import AcledError, compare, drawn, read_acled_csv
from geo.models import EventRecord

HEADER = "event_id_cnty,event_date,year,event_type,sub_event_type,admin1,location,latitude,longitude,source,notes\n"


def ours(i: str, event_type: str, day: str | None, lat: float, lon: float) -> EventRecord:
    return EventRecord(
        f"CM-{i}", i, i, "neighbourhood", lat, lon, 1, 1.0, "Damascus", "Syria", event_type, None, day, "day", None, ()
    )


def test_reads_an_export_and_names_each_bad_row():
    text = HEADER + (
        "SYR1,2012-07-16,2012,Battles,Armed clash,Damascus,Tadamon,33.4778,36.3094,AFP,Clashes.\n"
        "SYR2,18 July 2012,2012,Explosions/Remote violence,Suicide bomb,Damascus,Rawda,33.518,36.284,SANA,Bomb.\n"
        "SYR3,2012-07-40,2012,Battles,,Damascus,Midan,33.49,36.30,,\n"
        "SYR4,2012-07-17,2012,Battles,,Damascus,Midan,north,36.30,,\n"
        "SYR5,2012-07-17,2012,Fighting,,Damascus,Midan,33.49,36.30,,\n"
        'SYR6,2012-07-17,2012,Protests,,Damascus,"Kafr Sousa, west",33.49,191,,\n'
    )
    events, problems = read_acled_csv(text.encode("utf-8"))
    assert [(e.event_id, e.date) for e in events] == [("SYR1", "2012-07-16"), ("SYR2", "2012-07-18")]
    assert events[1].sub_event_type == "Suicide bomb" and events[0].lat == pytest.approx(33.4778)
    assert problems == [
        "line 4: event_date '2012-07-40' is not a date (YYYY-MM-DD or '18 July 2012'); row left out",
        "line 5: latitude 'north' is not a number; row left out",
        "line 6: event_type 'Fighting' is not one of ACLED's six; row left out",
        "line 7: longitude 191.0 is outside -180..180; row left out",
    ]


@pytest.mark.parametrize(
    "data, message",
    [
        (b"name,lat,lon\nx,1,2\n", r"missing the column\(s\) event_date, event_type, latitude, longitude"),
        (b"\x00\x01\x02" * 50, "binary data"),
    ],
)
def test_a_file_that_is_not_an_export_is_refused(data, message):
    with pytest.raises(AcledError, match=message):
        read_acled_csv(data, "upload.csv")


def test_agreement_pairs_same_type_near_in_space_and_time():
    acled, _ = read_acled_csv(
        (
            HEADER + "A1,2012-07-17,2012,Battles,,D,Tadamon,33.480,36.310,,\n"  # a day later, 300 m away: agrees
            "A2,2012-07-16,2012,Protests,,D,Tadamon,33.478,36.309,,\n"  # other type: does not
            "A3,2012-07-20,2012,Battles,,D,Midan,33.49,36.30,,\n"  # three days off: does not
            "A4,2012-07-16,2012,Battles,,D,Qaboun,33.54,36.34,,\n"  # 8 km from Tadamon: does not
        ).encode()
    )
    extracted = [
        ours("tadamon", "Battles", "2012-07-16", 33.47778, 36.30944),
        ours("tadamon2", "Battles", "2012-07-16", 33.470, 36.305),  # a second one, 1 km off: A1 pairs only once
        ours("midan", "Battles", None, 33.49, 36.30),  # undated: cannot agree
    ]
    result = compare(extracted, acled)
    assert [(o.event_id, a.event_id, days) for o, a, km, days in result.both] == [("CM-tadamon", "A1", 1)]
    assert result.both[0][2] < 0.5
    assert {e.event_id for e in result.only_extracted} == {"CM-tadamon2", "CM-midan"}
    assert {a.event_id for a in result.only_acled} == {"A2", "A3", "A4"}
    wider = compare(extracted, acled, km=10)  # wider tolerance: the second Tadamon event pairs with Qaboun's
    assert [(o.event_id, a.event_id) for o, a, _, _ in wider.both] == [("CM-tadamon", "A1"), ("CM-tadamon2", "A4")]


def test_a_big_file_is_drawn_within_the_view_up_to_the_limit_agreeing_first():
    rows = "".join(f"B{i},2012-07-16,2012,Battles,,D,Far,{34 + i / 1000:.3f},37.0,,\n" for i in range(30))
    rows += "A1,2012-07-16,2012,Battles,,D,Tadamon,33.480,36.310,,\n"
    rows += "".join(f"C{i},2012-07-16,2012,Protests,,D,Near,33.5,36.3,,\n" for i in range(10))
    acled, _ = read_acled_csv((HEADER + rows).encode())
    result = compare([ours("tadamon", "Battles", "2012-07-16", 33.47778, 36.30944)], acled)
    assert drawn(result, None, limit=100) == (result, 0)  # few: every one, wherever the view
    damascus = (33.4, 36.2, 33.6, 36.4)
    part, left_out = drawn(result, damascus, limit=5)
    assert [a.event_id for _, a, _, _ in part.both] == ["A1"]  # the agreeing one first
    assert [a.event_id for a in part.only_acled] == ["C0", "C1", "C2", "C3"]
    assert left_out == 41 - 5 and part.only_extracted == result.only_extracted
    part, left_out = drawn(result, None, limit=5)  # no view yet: the first ones, still at most the limit
    assert len(part.both) + len(part.only_acled) == 5 and left_out == 36
