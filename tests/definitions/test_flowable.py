"""A model drawn in the Flowable Modeler (or Activiti Designer) runs as Flowable runs it (issue 14,
part of point 10): `flowable:` and `activiti:` read as Camunda 7's names, `async` as an
asynchronous continuation, `formProperty` fields as the task's form."""

from __future__ import annotations

from typing import Any

import pytest

from engine import Engine
from engine.errors import InvalidInput

FLOWABLE = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:{prefix}="{namespace}" targetNamespace="http://www.flowable.org/processdef">
  <process id="leave" name="Leave request" isExecutable="true">
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="approve"/>
    <userTask id="approve" name="Approve leave" {prefix}:candidateGroups="managers">
      <extensionElements>
        <{prefix}:formProperty id="days" name="Days" type="long" required="true"/>
        <{prefix}:formProperty id="kind" name="Kind" type="enum" required="true">
          <{prefix}:value id="annual" name="Annual leave"/>
          <{prefix}:value id="sick" name="Sick leave"/>
        </{prefix}:formProperty>
        <{prefix}:formProperty id="employee" name="Employee" type="string" writable="false"/>
        <{prefix}:formProperty id="secret" name="Hidden" type="string" readable="false"/>
      </extensionElements>
    </userTask>
    <sequenceFlow id="f2" sourceRef="approve" targetRef="decide"/>
    <exclusiveGateway id="decide"/>
    <sequenceFlow id="long" sourceRef="decide" targetRef="notify">
      <conditionExpression xsi:type="tFormalExpression"
          xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">${{days > 10}}</conditionExpression>
    </sequenceFlow>
    <sequenceFlow id="short" sourceRef="decide" targetRef="done">
      <conditionExpression xsi:type="tFormalExpression"
          xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">${{days &lt;= 10}}</conditionExpression>
    </sequenceFlow>
    <serviceTask id="notify" {prefix}:async="true" {prefix}:delegateExpression="${{notifyHr}}"/>
    <sequenceFlow id="f3" sourceRef="notify" targetRef="done"/>
    <endEvent id="done"/>
  </process>
</definitions>
"""
NAMESPACES = {"flowable": "http://flowable.org/bpmn", "activiti": "http://activiti.org/bpmn"}


@pytest.mark.parametrize("prefix", ["flowable", "activiti"])
def test_a_flowable_model_runs_as_flowable_runs_it(engine: Engine, microflows: Any, prefix: str) -> None:
    microflows("notifyHr", lambda: {"hr_notified": True})
    xml = FLOWABLE.format(prefix=prefix, namespace=NAMESPACES[prefix]).encode()
    [deployed] = engine.repository.deploy({"leave.bpmn20.xml": xml})
    assert engine.repository.get("leave")["dialect"] == "camunda7"
    started = engine.runtime.start("leave", {"employee": "Eve"})
    [task] = started["tasks"]
    assert task["candidate_groups"] == ["managers"]
    fields = {f["id"]: f for f in task["form"]["fields"]}
    assert list(fields) == ["days", "kind", "employee"]  # `secret` is not readable
    assert fields["days"]["type"] == "integer" and fields["days"]["required"]
    assert [o["value"] for o in fields["kind"]["options"]] == ["annual", "sick"]
    assert fields["employee"]["readonly"]
    with pytest.raises(InvalidInput, match="days"):
        engine.tasks.complete(task["id"], {"kind": "annual"})
    done = engine.tasks.complete(task["id"], {"days": 12, "kind": "annual"})
    # days > 10: the flow went to `notify`, which `async` makes a job (it waits for a worker).
    assert done["status"] == "waiting"
    waits = engine.runtime.get(done["id"])["waiting"]
    assert [w.get("microflow") for w in waits if w.get("job_id")] == ["notifyHr"]
    assert deployed.key == "leave"
