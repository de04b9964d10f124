"""Salesforce records polled by SystemModstamp: overlap window, dedupe by stamp, mark moved with the rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from sync import kinds
from sync.models import Cursor, InboxItem
from sync.pollers.cursors import modstamp_query, parse_salesforce_datetime, soql_datetime
from sync.pollers.salesforce import TASK_FIELDS, RecordPollSpec, poll_records
from tests.sync.twins import SalesforceTwin

SPEC = RecordPollSpec("Task", TASK_FIELDS, overlap=timedelta(minutes=2), chunk=2)


def factory(engine):
    return lambda: Session(engine, expire_on_commit=False)


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def a_task(number: int, modified: datetime) -> dict:
    return {
        "attributes": {"type": "Task"},
        "Id": f"00T{number:015d}",
        "WhoId": "00Q000000000001AAA",
        "Subject": "Call",
        "SystemModstamp": stamp(modified),
    }


def since_of(soql: str) -> datetime:
    literal = soql.split("SystemModstamp >= ")[1].split(" ")[0]
    return datetime.strptime(literal, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def answering(tasks: list[dict]):
    """Answers the poller's query the way Salesforce would: stamp >= since, oldest first."""

    def answer(soql: str, _records) -> list[dict]:
        since = since_of(soql)
        chosen = [t for t in tasks if parse_salesforce_datetime(t["SystemModstamp"]) >= since]
        return sorted(chosen, key=lambda t: (t["SystemModstamp"], t["Id"]))

    return answer


def test_datetimes_round_trip_between_rest_and_soql():
    moment = parse_salesforce_datetime("2021-05-27T13:59:29.000+0000")
    assert moment == datetime(2021, 5, 27, 13, 59, 29, tzinfo=UTC)
    assert parse_salesforce_datetime("2021-05-27T15:59:29.000+0200") == moment
    assert parse_salesforce_datetime("2021-05-27T13:59:29Z") == moment
    assert soql_datetime(moment) == "2021-05-27T13:59:29Z"
    query = modstamp_query("Lead", ["Email"], moment, where="IsConverted = true")
    assert query == (
        "SELECT Id, SystemModstamp, Email FROM Lead WHERE SystemModstamp >= 2021-05-27T13:59:29Z "
        "AND (IsConverted = true) ORDER BY SystemModstamp ASC, Id ASC"
    )


async def test_records_are_stored_once_and_the_mark_moves_with_them(engine, session, clock):
    now = clock()
    tasks = [a_task(i, now - timedelta(minutes=30 - i)) for i in range(5)]
    salesforce = SalesforceTwin(answer=answering(tasks))
    report = await poll_records(factory(engine), salesforce, clock, SPEC)
    assert (report.stored, report.pages) == (5, 3)
    rows = list(session.exec(select(InboxItem)))
    assert {r.kind for r in rows} == {kinds.SALESFORCE_TASK}
    assert rows[0].natural_key == f"Task:{tasks[0]['Id']}:{tasks[0]['SystemModstamp']}"
    assert rows[0].payload["fields"]["Subject"] == "Call" and "attributes" not in rows[0].payload["fields"]
    mark = datetime.fromisoformat(session.get(Cursor, SPEC.cursor_name).value)
    assert mark == parse_salesforce_datetime(tasks[-1]["SystemModstamp"])


async def test_the_overlap_rereads_late_commits_and_drops_what_it_already_has(engine, session, clock):
    now = clock()
    tasks = [a_task(1, now - timedelta(minutes=10))]
    salesforce = SalesforceTwin(answer=answering(tasks))
    await poll_records(factory(engine), salesforce, clock, SPEC)
    # A row that committed late, stamped a minute before the mark, plus an edit of the first task.
    tasks.append(a_task(2, now - timedelta(minutes=11)))
    tasks.append({**tasks[0], "SystemModstamp": stamp(now - timedelta(minutes=1)), "Subject": "Call back"})
    clock.advance(minutes=5)
    report = await poll_records(factory(engine), salesforce, clock, SPEC)
    assert (report.stored, report.duplicates) == (2, 1)
    assert since_of(salesforce.queries[-1]) == now - timedelta(minutes=12)  # the mark minus the overlap
    session.expire_all()
    assert len(list(session.exec(select(InboxItem)))) == 3


async def test_a_first_run_with_nothing_to_read_fixes_its_starting_mark(engine, session, clock):
    salesforce = SalesforceTwin(answer=answering([]))
    await poll_records(factory(engine), salesforce, clock, SPEC)
    saved = datetime.fromisoformat(session.get(Cursor, SPEC.cursor_name).value)
    assert saved == clock() - SPEC.initial_lookback
