"""XML namespaces of BPMN 2.0 and of the editors' extensions, shared by every reader of a model."""

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
ACTIVITI_NS = "http://activiti.org/bpmn"
"""Camunda 7's ancestor; older Camunda and Signavio files bind `camunda:` to it."""
ZEEBE_NS = "http://camunda.org/schema/zeebe/1.0"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
MODELER_NS = "http://camunda.org/schema/modeler/1.0"
