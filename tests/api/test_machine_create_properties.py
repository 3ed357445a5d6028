"""Whatever a MachineCreate holds, the answer is 201 or a 400 naming a field, never a server
error, and a refused request leaves no VM behind."""
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from api_support import CIMI, terminate_all

scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-2**40, max_value=2**40),
                    st.floats(allow_nan=False, allow_infinity=False),
                    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]),
                            max_size=20))
valid_sizes = st.sampled_from([1, 2, 1024, 131072, 1048576])
sizes = st.one_of(scalars, valid_sizes)
configs = st.one_of(
    st.fixed_dictionaries({"cpu": valid_sizes, "memory": valid_sizes}),
    st.fixed_dictionaries({"href": st.just("machineConfigs/1")}, optional={"cpu": sizes}),
    st.fixed_dictionaries({}, optional={"cpu": sizes, "memory": sizes, "href": scalars,
                                        "disks": st.lists(st.fixed_dictionaries(
                                            {"capacity": sizes}, optional={"format": scalars}),
                                            max_size=2)}))
images = st.one_of(
    st.just({"href": "machineImages/0"}),
    st.fixed_dictionaries({"href": st.one_of(
        scalars, st.sampled_from(["machineImages/2", "machineImages/77", "machineConfigs/1"]))}),
    st.just({}))


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=scalars, config=configs, image=images,
       initial_state=st.sampled_from([None, "STARTED", "STOPPED", "PAUSED", 3]))
def test_any_machine_create_is_created_or_refused(cimi, collection_href, backend, name, config,
                                                  image, initial_state):
    template = {"machineConfig": config, "machineImage": image}
    if initial_state is not None:
        template["initialState"] = initial_state
    body = {"resourceURI": CIMI + "MachineCreate", "machineTemplate": template}
    if name is not None:
        body["name"] = name
    before = backend.objects()["vms"]
    result = cimi.post(collection_href("machines"), body)
    assert result.status in (201, 400), result.document
    event(f"answered {result.status}")
    if result.status == 400:
        assert result.document["message"]
        assert backend.objects()["vms"] <= before
    else:
        terminate_all(backend.gateway, [int(result.document["id"].rsplit("/", 1)[1])])
