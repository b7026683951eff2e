using Cocktail.Domain.Workloads;
using Cocktail.Infrastructure.Workloads;

namespace Cocktail.Integration.Tests.Workloads;

/// <summary>The YAML editor and the form work on one spec: every field survives the way to YAML and back.</summary>
public sealed class WorkloadYamlTests
{
    private readonly WorkloadYaml _yaml = new();

    public static TheoryData<WorkloadSpec> Specs => new()
    {
        new WorkloadSpec("api", WorkloadKind.StatefulSet,
            [
                new ContainerSpec("api", "registry.example.com/api:2.1", ["/bin/api"], ["--verbose"], [new EnvVar("MODE", "prod"), new EnvVar("EMPTY", null)],
                    [new PortSpec(8080, "http"), new PortSpec(9090, "metrics", "TCP")],
                    new Resources(new ResourceList("250m", "256Mi", "1"), new ResourceList("1", "1Gi", "1")),
                    new Probes(new Probe(Exec: ["cat", "/tmp/alive"], InitialDelaySeconds: 5, PeriodSeconds: 20), new Probe(Port: 8080)),
                    new SecurityContext(false, false, true, 1000, ["NET_BIND_SERVICE"], ["ALL"], "RuntimeDefault"),
                    [new VolumeMount("data", "/data"), new VolumeMount("config", "/etc/api", ReadOnly: true)]),
                new ContainerSpec("sidecar", "registry.example.com/proxy:1", Probes: new Probes(Liveness: new Probe("/healthz", 15000))),
            ],
            Replicas: 3,
            Volumes: [new Volume("data", PersistentVolumeClaim: "api-data"), new Volume("config", ConfigMap: "api-config"), new Volume("tmp", EmptyDir: true)],
            Service: new ServiceSpec("NodePort", [new ServicePort(80, 8080, "http"), new ServicePort(9090, 9090, "metrics")]),
            Ingress: new IngressSpec("api.example.com", "/v2", 80, "nginx"),
            Autoscaler: new AutoscalerSpec(2, 9, 65),
            Labels: new Dictionary<string, string> { ["team"] = "payments" }),
        new WorkloadSpec("nightly", WorkloadKind.CronJob, [new ContainerSpec("backup", "registry.example.com/backup:5", Args: ["--all"])], Schedule: "0 3 * * *",
            Volumes: [new Volume("host", HostPath: "/var/backups")], HostNetwork: true),
        new WorkloadSpec("migrate", WorkloadKind.Job, [new ContainerSpec("migrate", "registry.example.com/migrate:7")]),
    };

    [Theory]
    [MemberData(nameof(Specs))]
    public void a_spec_written_as_yaml_reads_back_the_same(WorkloadSpec spec)
    {
        var (read, errors) = _yaml.Read(_yaml.Write(spec));

        Assert.Null(errors);
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(spec), System.Text.Json.JsonSerializer.Serialize(read));
    }

    [Fact]
    public void other_kinds_and_more_than_one_workload_are_refused_with_what_cocktail_takes()
    {
        var (_, errors) = _yaml.Read("""
            apiVersion: v1
            kind: ConfigMap
            metadata: { name: settings }
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: { name: a }
            spec: { template: { spec: { containers: [ { name: a, image: a:1 } ] } } }
            ---
            apiVersion: batch/v1
            kind: Job
            metadata: { name: b }
            spec: { template: { spec: { containers: [ { name: b, image: b:1 } ] } } }
            """);

        Assert.Equal(["ConfigMap (v1): Cocktail deploys a Deployment, StatefulSet, Job or CronJob with at most one Service, Ingress and HorizontalPodAutoscaler (autoscaling/v2).",
            "Give one workload per deployment; this YAML has 2."], errors!["yaml"]);
    }

    [Fact]
    public void a_service_named_otherwise_than_the_workload_is_refused_rather_than_renamed()
    {
        var (_, errors) = _yaml.Read("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: { name: web }
            spec: { template: { spec: { containers: [ { name: web, image: web:1 } ] } } }
            ---
            apiVersion: v1
            kind: Service
            metadata: { name: frontend }
            spec: { ports: [ { port: 80, targetPort: 8080 } ] }
            """);

        Assert.Equal(["Service.metadata.name: Cocktail names the Service after the workload, 'web'."], errors!["yaml"]);
    }
}
