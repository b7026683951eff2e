using System.Text.Json.Nodes;
using Cocktail.Domain.Provisioning;

namespace Cocktail.Application.Provisioning.Building;

/// <summary>
/// Builds a cluster's Cluster API objects from its blueprint: pure, no I/O, the same objects for the preview, the
/// schema check and the apply.
/// </summary>
public static partial class ClusterObjects
{
    /// <summary>The field manager of every apply: the fields Cocktail sets are Cocktail's.</summary>
    public const string FieldManager = "cocktail";

    /// <summary>Every object, in apply order (templates and infrastructure first, the Cluster last or as CAPI expects).</summary>
    public static IReadOnlyList<JsonObject> Build(ClusterBlueprint desired) => throw new NotImplementedException("wt-prov-build");

    /// <summary>The objects of one pool (for removing a pool).</summary>
    public static IReadOnlyList<JsonObject> PoolObjects(ClusterBlueprint desired, string pool) => throw new NotImplementedException("wt-prov-build");

    /// <summary>The objects as one multi-document YAML, as shown before applying.</summary>
    public static string ToYaml(IReadOnlyList<JsonObject> objects) => throw new NotImplementedException("wt-prov-build");
}

/// <summary>A field of a built object that its CRD's schema refuses.</summary>
public sealed record SchemaProblem(string Object, string Path, string Message);
