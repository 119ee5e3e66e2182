#!/usr/bin/env python3
"""Black-box test of `faqbot shell`: two people in one terminal session — Alice teaches and
publishes, Bob asks, an unknown question is handed to Alice, her answer reaches Bob.
   shell_cli_test.py FAQBOT"""
import os
import subprocess
import sys
import tempfile
import time

faqbot = sys.argv[1]
work = tempfile.mkdtemp()
proc = subprocess.Popen([faqbot, "shell", "--as", "U0ALICE", "--database", f"sqlite:{work}/s.db"],
                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                        cwd=work)
os.set_blocking(proc.stdout.fileno(), False)
transcript = ""
failures = []


cursor = 0


def read_until(needle, timeout=60.0):
    """Reads output until `needle` appears after the cursor; returns the text up to and including
    it and moves the cursor past it."""
    global transcript, cursor
    deadline = time.time() + timeout
    while needle not in transcript[cursor:]:
        if time.time() > deadline:
            raise AssertionError(f"timed out waiting for {needle!r}; got:\n{transcript[cursor:]}")
        chunk = proc.stdout.read()
        if chunk:
            transcript += chunk.decode("utf-8", "replace")
        else:
            time.sleep(0.02)
    end = transcript.index(needle, cursor) + len(needle)
    out = transcript[cursor:end]
    cursor = end
    return out


def say(line, expect, prompt=True):
    proc.stdin.write((line + "\n").encode())
    proc.stdin.flush()
    out = read_until(expect)
    if prompt:
        out += read_until("> ")
    return out


def button(out, label):
    """The number of the button `label` in `out`."""
    for part in out.split("["):
        if "]" in part and part.split("]", 1)[1].strip().startswith(label):
            return part.split("]", 1)[0]
    raise AssertionError(f"no button {label!r} in:\n{out}")


try:
    read_until("@U0ALICE> ")
    out = say("hi", "How can I help?")
    say(button(out, "Add a topic"), "What question should I expect?")
    say("what is the wifi password?", "What answer should I provide?")
    say("It's on the fridge.", "Topic added")
    say("hey, add a new topic", "What question should I expect?")
    say("how do I set up the VPN on my laptop", "What answer")
    say("Install the Acme client.", "Topic added")
    out = say("show my topics", "Here are your current topics")
    assert "🅾 what is the wifi password?" in out, out
    out = say("publish", "Are you sure you want to publish all 2 topics?")
    # Input from a pipe: the prompt comes back once the publish has gone live and been reported.
    out = say(button(out, "Yes, please."), "will be published shortly")
    assert "Your bot now answers 2 topics" in out, out
    out = say("show my topics", "Here are your current topics")
    assert "✅ what is the wifi password?" in out, out

    say("/as U0BOB", "@U0BOB> ", prompt=False)
    say("ask @U0ALICE what's the guest wifi password", "@U0ALICE says - It's on the fridge.")
    out = say("ask @U0ALICE when is the company picnic", "Teach me")
    assert "I don't know that one yet — I've asked @U0ALICE" in out, out
    assert "faqbot → @U0ALICE:" in out, out
    answer_it = button(out, "Answer it")

    say("/as U0ALICE", "@U0ALICE> ", prompt=False)
    say(answer_it, "What answer should I give to when is the company picnic?")
    out = say("June 12th, in the park.", "Topic added")
    assert "faqbot → @U0BOB:" in out and "@U0ALICE says - June 12th, in the park." in out, out
    # An answer of several lines: a backslash at the end of a line goes on to the next.
    say("add a topic", "What question should I expect?")
    say("where is the first aid kit", "What answer")
    proc.stdin.write("Two places:\\\n1. the kitchen\\\n".encode())
    proc.stdin.flush()
    out = say("2. reception", "Topic added")
    out = say("publish", "Are you sure you want to publish")
    say(button(out, "Yes, please."), "will be published shortly")
    say("/as U0BOB", "@U0BOB> ", prompt=False)
    out = say("ask @U0ALICE where is the first aid kit", "2. reception")
    assert "Two places:\n1. the kitchen\n2. reception" in out, out
    say("/as U0ALICE", "@U0ALICE> ", prompt=False)
    out = say("cancel", "nothing to cancel")
    # A bare /as, or one naming no Slack user id, is refused, never sent as a message.
    say("add a topic", "What question should I expect?")
    say("who runs the canteen", "What answer")
    say("/as", "/as U… switches person; you are @U0ALICE.")
    say("/as bob", "is not a Slack user id")
    out = say("Maria does.", "Topic added")
    proc.stdin.write(b"/quit\n")
    proc.stdin.flush()
    if proc.wait(timeout=60) != 0:
        failures.append(f"exit code {proc.returncode}")
except AssertionError as e:
    failures.append(str(e))
    proc.kill()

# A script piped in all at once: each line waits for the publish the one before started, so an
# ask right after "yes" finds the bot live (buttons are numbered 1, 2, … in order of appearance).
script = "\n".join([
    "add a topic", "where can I park?", "In the underground garage.",
    "publish",  # "Topic added" showed buttons 1–4; the publish question shows 5 and 6
    "5",        # Yes, please.
    "/as U0BOB", "ask @U0CAROL where do I park my car", "/quit"]) + "\n"
piped = subprocess.run([faqbot, "shell", "--as", "U0CAROL", "--database", f"sqlite:{work}/p.db"],
                       input=script, capture_output=True, text=True, cwd=work, timeout=120)
if "@U0CAROL says - In the underground garage." not in piped.stdout:
    failures.append(f"piped script: the ask after publishing was not answered:\n{piped.stdout}")

# Bad flags are clear errors.
bad = subprocess.run([faqbot, "shell", "--as", "not an id"], capture_output=True, text=True,
                     cwd=work)
if bad.returncode != 64 or "--as" not in bad.stderr:
    failures.append(f"bad --as: {bad.returncode} {bad.stderr}")
bad = subprocess.run([faqbot, "shell", "--as", "bob"], capture_output=True, text=True, cwd=work)
if bad.returncode != 64 or "not a Slack user id" not in bad.stderr:
    failures.append(f"--as bob: {bad.returncode} {bad.stderr}")

for f in failures:
    print("FAIL:", f)
print(f"{'0' if failures else 'all'} checks passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
