using System.Text.Json;
using System.Text.Json.Nodes;
using Cocktail.Application.Clusters;
using Cocktail.Application.Common;
using Cocktail.Application.Provisioning.Building;
using Cocktail.Domain.Common;
using Cocktail.Domain.Provisioning;
using Marten;

namespace Cocktail.Application.Provisioning;

/// <summary>A cluster request that passed every check: the management cluster, what it serves, and the objects to apply.</summary>
public sealed record PreparedCluster(ClusterView Management, ManagementDiscovery Discovery, ClusterBlueprint Blueprint, IReadOnlyList<JsonObject> Objects);

/// <summary>
/// The checks a new cluster passes before anything is recorded, shared by the preview and the request, in the order
/// a user can fix them: the blueprint's own fields (all at once), the management cluster (registered, enabled,
/// reachable), the provider installed there, the name free, then every built object against the CRD schemas the
/// management cluster serves. Nothing here writes.
/// </summary>
public static class ClusterRequests
{
    public const string ObjectsField = "objects";

    public static async Task<Result<PreparedCluster>> PrepareAsync(Guid managementClusterId, ClusterBlueprintInput input,
        IQuerySession session, IClusterApiGateway gateway, CancellationToken ct)
    {
        var blueprint = input.ToBlueprint();
        var problems = blueprint.Check().Concat(ProviderProblems(blueprint)).ToList();
        if (problems.Count > 0) return Invalid(problems, input);

        var management = await session.LoadAsync<ClusterView>(managementClusterId, ct);
        if (management is null) return Failure.NotFound("No such management cluster.");
        if (!management.ClusterApiManagement)
            return Failure.Invalid($"'{management.Name}' is not a Cluster API management cluster: enable Cluster API management on its page first.", "managementClusterId");

        var (discovery, failure) = await gateway.DiscoverAsync(management.Id, ct);
        if (failure is not null || discovery is null) return Unreachable(management.Name, failure);

        var info = InfrastructureCatalog.Get(blueprint.Infrastructure);
        if (!discovery.Infrastructures.Contains(blueprint.Infrastructure))
        {
            var missing = info.RequiredCrds.Where(c => !discovery.ServedCrds.Contains(c)).ToList();
            return Failure.Invalid($"The {info.DisplayName} provider is not installed on '{management.Name}' (missing {string.Join(", ", missing)}).", "infrastructure");
        }
        if (blueprint.ClusterClass is not null && !discovery.ClusterClassesServed)
            return Failure.Invalid($"'{management.Name}' does not serve ClusterClasses.", "clusterClass");

        if (await NameTakenAsync(session, gateway, management, blueprint, ct) is { } taken) return taken;

        var normalized = blueprint with { KubernetesVersion = blueprint.Version.ToString() };
        var objects = ClusterObjects.Build(normalized);
        var kinds = objects.Select(o => ((string)o["apiVersion"]!, (string)o["kind"]!)).Distinct().ToList();
        var schemas = await gateway.ReadSchemasAsync(management.Id, kinds, ct);
        // The gateway answers a cluster it cannot reach with no schemas; discovery has just found the provider's CRDs.
        if (schemas.Count == 0) return Unreachable(management.Name, null);
        var schemaProblems = SchemaProblems(objects, schemas);
        if (schemaProblems.Count > 0)
            return new Failure(FailureKind.Invalid,
                $"'{management.Name}' would refuse {schemaProblems.Count} field(s) of the cluster's objects.",
                new Dictionary<string, string[]> { [ObjectsField] = [.. schemaProblems.Select(p => string.IsNullOrEmpty(p.Path) ? $"{p.Object}: {p.Message}" : $"{p.Object}: {p.Path}: {p.Message}")] });
        return new PreparedCluster(management, discovery, normalized, objects);
    }

    /// <summary>"Kind/name" of each object, in apply order.</summary>
    public static IReadOnlyList<string> Names(IReadOnlyList<JsonObject> objects) =>
        [.. objects.Select(o => $"{(string?)o["kind"]}/{(string?)o["metadata"]?["name"]}")];

    public static Failure Unreachable(string managementName, ManagementFailure? failure) =>
        failure is { Unreachable: false, Field: { } field }
            ? Failure.Invalid($"'{managementName}' refused: {failure.Message}", field)
            : new Failure(FailureKind.Unavailable,
                $"The management cluster '{managementName}' cannot be reached" + (failure is null ? "." : $": {failure.Message}") +
                " Nothing was changed; try again when it answers.");

    private static async Task<Failure?> NameTakenAsync(IQuerySession session, IClusterApiGateway gateway, ClusterView management,
        ClusterBlueprint blueprint, CancellationToken ct)
    {
        Failure Taken(string message) => new(FailureKind.Conflict, message, new Dictionary<string, string[]> { ["name"] = [message] });
        if (await session.Query<ProvisionedClusterView>().AnyAsync(v => v.ManagementClusterId == management.Id && v.Namespace == blueprint.Namespace
                && v.Name == blueprint.Name && v.Status != ProvisioningStatus.Deleted, ct))
            return Taken($"A cluster named '{blueprint.Name}' exists in the namespace '{blueprint.Namespace}' on '{management.Name}'.");
        // The new cluster is registered under its name once it is up, and registered clusters' names are unique.
        if (await session.Query<ClusterView>().AnyAsync(c => c.Name == blueprint.Name, ct))
            return Taken($"A cluster named '{blueprint.Name}' is registered already; choose another name.");
        // A Cluster object made by other means (clusterctl, GitOps) must not be taken over.
        var (seen, failure) = await gateway.ObserveAsync(management.Id, blueprint, ct);
        if (failure is not null) return Unreachable(management.Name, failure);
        return seen is { Exists: true }
            ? Taken($"'{management.Name}' has a Cluster '{blueprint.Name}' in the namespace '{blueprint.Namespace}' already.")
            : null;
    }

    private static Failure Invalid(IReadOnlyList<DomainError> problems, ClusterBlueprintInput input)
    {
        var errors = problems.GroupBy(p => p.Field ?? "body")
            .ToDictionary(g => g.Key, g => g.Select(p => p.Field == "infrastructure" && input.Infrastructure is null
                ? $"Choose an infrastructure: {string.Join(", ", Enum.GetNames<Infrastructure>())}." : p.Message).Distinct().ToArray());
        return new Failure(FailureKind.Invalid,
            problems.Count == 1 ? problems[0].Message : $"The cluster's description has {problems.Count} problems.", errors);
    }

    /// <summary>The provider-specific checks of the blueprint (what each infrastructure's objects need beyond the blueprint's own rules).</summary>
    private static IEnumerable<DomainError> ProviderProblems(ClusterBlueprint blueprint) => ClusterObjects.Check(blueprint);

    /// <summary>Every object against its CRD's openAPIV3Schema on the management cluster; a kind it does not serve is a problem too.</summary>
    private static IReadOnlyList<SchemaProblem> SchemaProblems(IReadOnlyList<JsonObject> objects,
        IReadOnlyDictionary<(string ApiVersion, string Kind), JsonElement> schemas) => CrdSchemaValidator.ValidateAll(objects, schemas);
}
