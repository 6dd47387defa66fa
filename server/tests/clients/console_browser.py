"""The web console of stepfn serve, driven in headless Chromium through Selenium: lists, the
graph's statuses (succeeded, failed, caught, running, waiting, not run), Map counts, a state's
details, the history, live updates, start / stop / redrive / send success from the page, and
hostile names and payloads shown as text.

Usage: console_browser.py SERVER_URL [SCREENSHOT_DIR]. Sets the scene through boto3, then
browses. Exits non-zero, saying what differed."""

import json
import os
import sys
import urllib.parse

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

from checks import ROLE, Checks, sfn_client

server = sys.argv[1].rstrip("/")
shots = sys.argv[2] if len(sys.argv) > 2 else None

sfn = sfn_client(server)
checks = Checks("console")
expect = checks.expect


def machine(name, definition):
    return sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE)["stateMachineArn"]


def until(what, check, seconds=10):
    return checks.until(what, check, seconds, step=0.05)


def ended(execution):
    return checks.ended(sfn, execution)


HOSTILE = '<img src=x onerror="window.__xss=1">'

orders = machine("Orders", {"StartAt": "Validate", "States": {
    "Validate": {"Type": "Pass", "Next": "Charge"},
    "Charge": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
               "Parameters": {"FunctionName": "charge", "Payload.$": "$"}, "ResultPath": "$.charged",
               "Catch": [{"ErrorEquals": ["Card.Declined"], "ResultPath": "$.declined", "Next": HOSTILE}],
               "Next": "Items"},
    HOSTILE: {"Type": "Pass", "Next": "Done"},
    "Items": {"Type": "Map", "ItemsPath": "$.items",
              "ItemProcessor": {"StartAt": "Pack", "States": {"Pack": {"Type": "Pass", "End": True}}},
              "ResultPath": "$.packed", "Next": "Done"},
    "Done": {"Type": "Succeed"}}})
broken = machine("Broken", {"StartAt": "Shape", "States": {
    "Shape": {"Type": "Pass", "Next": "Oops"},
    "Oops": {"Type": "Fail", "Error": "Order.Invalid", "Cause": "<script>window.__xss=2</script> bad"}}})
slow = machine("Slow", {"StartAt": "Sleep", "States": {
    "Sleep": {"Type": "Wait", "Seconds": 3600, "Next": "Woke"}, "Woke": {"Type": "Succeed"}}})
quick = machine("Quick", {"StartAt": "Nap", "States": {
    "Nap": {"Type": "Wait", "Seconds": 4, "Next": "Up"}, "Up": {"Type": "Pass", "End": True}}})
approval = machine("Approval", {"StartAt": "Ask", "States": {
    "Ask": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.waitForTaskToken",
            "Parameters": {"StateMachineArn": slow, "Input": {"token.$": "$$.Task.Token"}},
            "ResultPath": "$.answer", "Next": "Ship"},
    "Ship": {"Type": "Pass", "End": True}}})

paid = sfn.start_execution(stateMachineArn=orders + "#Paid", name="paid",
                           input=json.dumps({"items": [1, 2, 3], "note": "<b>bold?</b>"}))["executionArn"]
declined = sfn.start_execution(stateMachineArn=orders + "#Declined", name="declined",
                               input=json.dumps({"items": [1]}))["executionArn"]
failed = sfn.start_execution(stateMachineArn=broken, name="failed")["executionArn"]
sleeping = sfn.start_execution(stateMachineArn=slow, name="sleeping")["executionArn"]
waiting = sfn.start_execution(stateMachineArn=approval, name="waiting", input='{"order": 7}')["executionArn"]
for execution in (paid, declined, failed):
    ended(execution)
expect(ended(paid)["status"] == "SUCCEEDED", "the paid order succeeded")
until("the approval's token", lambda: sfn.describe_execution(executionArn=waiting)["status"] == "RUNNING"
      and any(e["type"] == "TaskSubmitted" or e["type"] == "TaskStarted" for e in sfn.get_execution_history(executionArn=waiting)["events"]))

options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--no-first-run", "--disable-quic", "--window-size=1400,1000"):
    options.add_argument(flag)
browser = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
browser.set_page_load_timeout(20)


def page(path):
    browser.get(server + path)
    expect(browser.execute_script("return window.__xss") is None, f"a script in the data ran on {path}")


def url_of(arn):
    return "/executions/" + urllib.parse.quote(arn, safe="")


def statuses():
    # Read in one script: a live page may swap its graph between two WebDriver calls.
    return browser.execute_script(
        "return Object.fromEntries([...document.querySelectorAll('div.graph g.state')]"
        ".map(g => [g.dataset.state, g.dataset.status]))")


def shot(name):
    if shots:
        browser.execute_script("window.scrollTo(0, 0)")
        os.makedirs(shots, exist_ok=True)
        browser.save_screenshot(os.path.join(shots, name))


try:
    # The home page lists the machines and their executions by status.
    page("/")
    rows = {r.get_attribute("data-machine"): r.text for r in browser.find_elements(By.CSS_SELECTOR, "#machines tr[data-machine]")}
    expect(set(rows) == {"Orders", "Broken", "Slow", "Quick", "Approval"}, f"machines listed: {rows}")
    expect("SUCCEEDED 2" in rows["Orders"], f"Orders' counts: {rows['Orders']}")
    expect("FAILED 1" in rows["Broken"], f"Broken's counts: {rows['Broken']}")
    shot("console-home.png")

    # A succeeded execution: every state it ran succeeded, the Map counts its iterations, the
    # catch target did not run; the input's HTML is text.
    page(url_of(paid))
    seen = statuses()
    expect(seen["Validate"] == "SUCCEEDED" and seen["Charge"] == "SUCCEEDED" and seen["Items"] == "SUCCEEDED"
           and seen["Pack"] == "SUCCEEDED" and seen["Done"] == "SUCCEEDED", f"paid: {seen}")
    expect(seen[HOSTILE] == "NOT_RUN", f"the hostile state's status: {seen}")
    note = browser.find_element(By.CSS_SELECTOR, 'g.state[data-state="Items"] text.note').text
    expect(note.startswith("3 ok"), f"the Map's counts: {note}")
    expect("<b>bold?</b>" in browser.find_element(By.CSS_SELECTOR, "pre.input").text, "the input shown as text")
    expect(not browser.find_elements(By.CSS_SELECTOR, "pre.input b"), "the input's HTML not rendered")
    # A click on a state shows its input and output.
    browser.find_element(By.CSS_SELECTOR, 'g.state[data-state="Charge"]').click()
    details = browser.find_element(By.CSS_SELECTOR, 'section[data-state-details="Charge"]')
    expect(details.is_displayed() and "Output" in details.text and "charged" in details.text, f"Charge's details: {details.text}")
    # The history: the events AWS would list, each with its details.
    types = [r.get_attribute("data-event-type") for r in browser.find_elements(By.CSS_SELECTOR, "#events tr[data-event-type]")]
    expect(types[0] == "ExecutionStarted" and types[-1] == "ExecutionSucceeded" and "MapIterationSucceeded" in types, f"history: {types}")
    first = browser.find_element(By.CSS_SELECTOR, "#events details")
    first.find_element(By.TAG_NAME, "summary").click()
    expect("roleArn" in first.text, "an event's details expand")
    shot("console-execution.png")

    # Caught: the failed task is CAUGHT, the state Catch went to ran, and its hostile name is text.
    page(url_of(declined))
    seen = statuses()
    expect(seen["Charge"] == "CAUGHT" and seen[HOSTILE] == "SUCCEEDED" and seen["Items"] == "NOT_RUN", f"declined: {seen}")
    browser.find_element(By.CSS_SELECTOR, 'g.state[data-state="Charge"]').click()
    details = browser.find_element(By.CSS_SELECTOR, 'section[data-state-details="Charge"]').text
    expect("Card.Declined" in details and "<em>no</em>" in details, f"the caught error, as text: {details}")
    expect(HOSTILE in browser.find_element(By.CSS_SELECTOR, "div.graph").text, "the hostile name shown as text")

    # Failed: the Fail state is FAILED, the cause (HTML in it) shown as text; redrive is offered.
    page(url_of(failed))
    seen = statuses()
    expect(seen["Shape"] == "SUCCEEDED" and seen["Oops"] == "FAILED", f"failed: {seen}")
    expect("<script>window.__xss=2</script> bad" in browser.find_element(By.CSS_SELECTOR, "pre.cause").text, "the cause as text")
    expect(browser.find_elements(By.CSS_SELECTOR, "form.redrive"), "a failed execution can be redriven")

    # Running: the Wait is RUNNING; stop it from the page, then redrive it from the page.
    page(url_of(sleeping))
    expect(statuses()["Sleep"] == "RUNNING" and statuses()["Woke"] == "NOT_RUN", f"sleeping: {statuses()}")
    browser.execute_script("window.confirm = () => true")
    browser.find_element(By.CSS_SELECTOR, "form.stop button").click()
    until("the stopped page", lambda: browser.find_elements(By.CSS_SELECTOR, 'h1 .badge[data-status="ABORTED"]'))
    expect(sfn.describe_execution(executionArn=sleeping)["status"] == "ABORTED", "stopped through the page")
    expect(statuses()["Sleep"] == "ABORTED", f"stopped: {statuses()}")
    browser.find_element(By.CSS_SELECTOR, "form.redrive button").click()
    until("the redriven page", lambda: browser.find_elements(By.CSS_SELECTOR, 'h1 .badge[data-status="RUNNING"]'))
    described = sfn.describe_execution(executionArn=sleeping)
    expect(described["status"] == "RUNNING" and described["redriveCount"] == 1, f"redriven through the page: {described}")

    # Waiting for a callback: approve it from the page.
    page(url_of(waiting))
    expect(statuses()["Ask"] == "RUNNING", f"waiting: {statuses()}")
    token_box = browser.find_element(By.CSS_SELECTOR, 'div.token[data-token-state="Ask"]')
    area = token_box.find_element(By.CSS_SELECTOR, "form.success textarea")
    area.clear()
    area.send_keys("not json")
    token_box.find_element(By.CSS_SELECTOR, "form.success button").click()
    expect(token_box.find_element(By.CSS_SELECTOR, ".form-error").is_displayed(), "JSON is checked before it is sent")
    area.clear()
    area.send_keys('{"approved": true}')
    shot("console-callback.png")
    token_box.find_element(By.CSS_SELECTOR, "form.success button").click()
    until("the approved execution", lambda: sfn.describe_execution(executionArn=waiting)["status"] == "SUCCEEDED")
    until("the page to show it", lambda: browser.find_elements(By.CSS_SELECTOR, 'h1 .badge[data-status="SUCCEEDED"]'))
    expect(json.loads(sfn.describe_execution(executionArn=waiting)["output"])["answer"] == {"approved": True}, "the answer reached the execution")

    # Start from the machine's page, then watch it finish live, without a reload.
    page("/state-machines/Quick")
    form = browser.find_element(By.CSS_SELECTOR, "form.start")
    form.find_element(By.NAME, "name").send_keys("from-the-page")
    area = form.find_element(By.NAME, "input")
    area.clear()
    area.send_keys('{"by": "browser"}')
    form.find_element(By.TAG_NAME, "button").click()
    until("the new execution's page", lambda: "/executions/" in browser.current_url)
    expect("from-the-page" in browser.current_url, browser.current_url)
    browser.execute_script("window.__stayed = true")
    # Its first events may be committed just after the page was drawn: the page catches up.
    until("the running Wait", lambda: statuses().get("Nap") == "RUNNING")
    shot("console-running.png")
    until("the live update", lambda: statuses().get("Up") == "SUCCEEDED", seconds=15)
    expect(browser.execute_script("return window.__stayed") is True, "the page updated without a reload")
    expect(browser.find_elements(By.CSS_SELECTOR, 'h1 .badge[data-status="SUCCEEDED"]'), "the badge updated live")

    # The machine's page lists its executions, filters them, and draws the graph.
    page("/state-machines/Orders?status=SUCCEEDED")
    names = [r.get_attribute("data-execution") for r in browser.find_elements(By.CSS_SELECTOR, "#executions tr[data-execution]")]
    expect(sorted(names) == ["declined", "paid"], f"Orders' succeeded executions: {names}")
    expect(len(browser.find_elements(By.CSS_SELECTOR, "div.graph g.state")) == 6, "the machine's graph")
    shot("console-machine.png")
finally:
    browser.quit()
print("console: ok")
