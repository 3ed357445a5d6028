"""ResourceMetadata: what this server supports for each resource type it serves.

One entry per collection the Cloud Entry Point lists (so a resource type added to the API has
its entry at once), named by the collection's Cloud Entry Point key. An entry tells the
type's URI, its capabilities, the CIMI actions its resources accept and the constraints on
the attributes a client sends, read from the marshmallow schemas that validate those bodies,
so what is advertised is what is enforced. Types without a declaration here are listed with
their type URI alone.
"""
from dataclasses import dataclass, field

from marshmallow import fields, validate

from app.protocol.names import ACTION_URI, CIMI_NAMESPACE, resource_uri
from app.services import machines
from schemas.credentials import CredentialUpdateSchema
from schemas.machine_configurations import MachineConfigurationSchema
from schemas.machine_images import MachineImageCreateSchema
from schemas.machine_templates import MachineTemplateSchema
from schemas.machines import INITIAL_STATES, MachineUpdateSchema
from schemas.volumes import (
    VolumeConfigurationSchema, VolumeImageCreateSchema, VolumeTemplateSchema, VolumeUpdateSchema,
)

TYPE_NAME = "ResourceMetadata"
SEGMENT = "resourceMetadata"
CAPABILITY_URI = CIMI_NAMESPACE + "/capability/"
_IRREGULAR_TYPES = {"machineConfigs": "MachineConfiguration",
                    "volumeConfigs": "VolumeConfiguration",
                    "networkConfigs": "NetworkConfiguration",
                    "resourceMetadata": TYPE_NAME}
_FIELD_TYPES = ((fields.Boolean, "boolean"), (fields.Integer, "integer"),
                (fields.Dict, "map"), (fields.List, "array"), (fields.Nested, "ref"),
                (fields.DateTime, "dateTime"))


@dataclass(frozen=True)
class Capability:
    name: str
    value: str
    description: str


@dataclass(frozen=True)
class Declaration:
    """What one resource type supports: `attributes` are (schema class, field names or None
    for all of them) pairs describing the attributes clients send; `shown` are (name, type)
    triples (name, type, description) of extension attributes the server only sends;
    `actions` the CIMI actions by name, with what each does."""

    attributes: tuple = ()
    shown: tuple = ()
    capabilities: tuple = ()
    actions: dict = field(default_factory=dict)


DECLARATIONS = {
    "Machine": Declaration(
        attributes=((MachineUpdateSchema, None),),
        shown=((machines.STATUS_MESSAGE, "string",
                "Why the machine is waiting or has failed, while it is (this server's "
                "extension)."),
               (machines.CPU_USAGE, "double",
                "The CPU the machine used at OpenNebula's last monitoring, in percent of one "
                "CPU, while it runs; given when the machine is read alone (this server's "
                "extension).")),
        capabilities=(
            Capability("InitialStates", ",".join(INITIAL_STATES),
                       "The states a MachineCreate's initialState may ask for."),
            Capability("DefaultInitialState", machines.DEFAULT_INITIAL_STATE,
                       "The state a new machine is put in when no initialState is given."),
        ),
        actions=machines.ACTIONS,
    ),
    "MachineConfiguration": Declaration(attributes=((MachineConfigurationSchema, None),)),
    "MachineTemplate": Declaration(attributes=((MachineTemplateSchema, None),)),
    "MachineImage": Declaration(attributes=((MachineImageCreateSchema, None),)),
    "Credential": Declaration(attributes=((CredentialUpdateSchema, None),)),
    "Volume": Declaration(attributes=((VolumeUpdateSchema, None),
                                      (VolumeConfigurationSchema, ("capacity", "format")))),
    "VolumeConfiguration": Declaration(attributes=((VolumeConfigurationSchema, None),)),
    "VolumeTemplate": Declaration(attributes=((VolumeTemplateSchema, None),)),
    "VolumeImage": Declaration(attributes=((VolumeImageCreateSchema, None),)),
}


def type_name_of(entry_point_key):
    """The resource type a Cloud Entry Point collection key serves: `machines` -> Machine."""
    if entry_point_key in _IRREGULAR_TYPES:
        return _IRREGULAR_TYPES[entry_point_key]
    if entry_point_key.endswith("sses"):
        singular = entry_point_key[:-2]
    elif entry_point_key.endswith("s"):
        singular = entry_point_key[:-1]
    else:
        singular = entry_point_key
    return singular[:1].upper() + singular[1:]


def metadata(links, entry_point_key):
    """The entry of the collection the Cloud Entry Point lists under `entry_point_key`."""
    type_name = type_name_of(entry_point_key)
    declaration = DECLARATIONS.get(type_name, Declaration())
    return {
        "resourceURI": resource_uri(TYPE_NAME),
        "id": links.href(SEGMENT, entry_point_key),
        "name": type_name,
        "typeUri": resource_uri(type_name),
        "attributes": [attribute for schema, names in declaration.attributes
                       for attribute in _attributes(schema, names)]
        + [_shown_attribute(*shown) for shown in declaration.shown],
        "capabilities": [_capability(type_name, capability)
                         for capability in declaration.capabilities],
        "actions": [_action(name, description)
                    for name, description in declaration.actions.items()],
    }


def _capability(type_name, capability):
    return {"uri": f"{CAPABILITY_URI}{type_name}/{capability.name}", "name": capability.name,
            "description": capability.description, "value": capability.value}


def _action(name, description):
    return {"uri": ACTION_URI + name, "name": name, "description": description,
            "method": "POST", "inputMessage": "application/json",
            "outputMessage": "application/json"}


def _attributes(schema, names):
    declared = schema().fields
    return [_attribute(name, declared[name]) for name in (names or declared)
            if not declared[name].dump_only]


def _attribute(name, declared):
    return {
        "name": name,
        "description": declared.metadata.get("description", ""),
        "namespace": CIMI_NAMESPACE,
        "type": next((type_name for kind, type_name in _FIELD_TYPES
                      if isinstance(declared, kind)), "string"),
        "required": bool(declared.required),
        "constraints": [constraint for validator in _validators(declared)
                        for constraint in _constraints(validator)],
    }


def _shown_attribute(name, kind, description):
    return {"name": name, "description": description, "namespace": CIMI_NAMESPACE,
            "type": kind, "required": False, "constraints": []}


def _validators(declared):
    return declared.validators if isinstance(declared.validators, list) else [declared.validators]


def _constraints(validator):
    """Constraint texts of one marshmallow validator; validators that say nothing a client
    could check beforehand (custom functions) give none."""
    if isinstance(validator, validate.Range):
        return [f"{bound}={value}" for bound, value in
                (("minimum", validator.min), ("maximum", validator.max)) if value is not None]
    if isinstance(validator, validate.Length):
        return [f"{bound}={value}" for bound, value in
                (("minLength", validator.min), ("maxLength", validator.max))
                if value is not None]
    if isinstance(validator, validate.OneOf):
        return ["values=" + ",".join(str(choice) for choice in validator.choices)]
    if isinstance(validator, validate.Regexp):
        return ["pattern=" + validator.regex.pattern]
    return []
