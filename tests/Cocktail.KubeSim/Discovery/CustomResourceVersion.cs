using System.Text.Json.Nodes;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Registry;

namespace Cocktail.KubeSim.Discovery;

/// <summary>
/// One served version of a CustomResourceDefinition as the apiextensions-apiserver's crdHandler keeps it per CRD
/// (its crdInfo): the version's openAPIV3Schema compiled once (lazily, on first use) for pruning, defaulting and
/// validation, its printer columns and its deprecation warning. A new instance is built whenever the CRD is
/// written, so the cache lives exactly as long as one resourceVersion of the CRD.
/// </summary>
public sealed class CustomResourceVersion
{
    readonly Lazy<StructuralSchema?> _schema;

    public CustomResourceVersion(string crdName, JsonObject crdSpec, JsonObject version)
    {
        CrdName = crdName;
        Version = version.Str("name") ?? "";
        Group = crdSpec.Str("group") ?? "";
        Kind = crdSpec.Str("names", "kind") ?? "";
        SchemaNode = version.At("schema", "openAPIV3Schema") as JsonObject;
        PrinterColumns = version["additionalPrinterColumns"] as JsonArray;
        HasStatus = version.At("subresources", "status") is not null;
        if (version.Bool("deprecated") == true)
            DeprecationWarning = version.Str("deprecationWarning") ?? DefaultDeprecationWarning(crdSpec, Version);
        var schemaNode = SchemaNode;
        _schema = new Lazy<StructuralSchema?>(() => schemaNode is null ? null : StructuralSchema.Compile(schemaNode), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public string CrdName { get; }
    public string Group { get; }
    public string Version { get; }
    public string Kind { get; }
    public JsonObject? SchemaNode { get; }
    public JsonArray? PrinterColumns { get; }
    public bool HasStatus { get; }

    /// <summary>The <c>Warning</c> every request to a deprecated version gets; null when the version is not deprecated.</summary>
    public string? DeprecationWarning { get; }

    /// <summary>The compiled schema, built on first use (a large CRD takes a few milliseconds once).</summary>
    public StructuralSchema? Schema => _schema.Value;

    /// <summary>
    /// apiextensions-apiserver's defaultDeprecationWarning (pkg/apiserver/customresource_handler.go):
    /// "group/version Kind is deprecated", plus "; use group/newest Kind" naming the highest served,
    /// non-deprecated version that sorts after the deprecated one (version.CompareKubeAwareVersionStrings).
    /// </summary>
    static string DefaultDeprecationWarning(JsonObject spec, string deprecated)
    {
        var group = spec.Str("group");
        var kind = spec.Str("names", "kind");
        var message = $"{group}/{deprecated} {kind} is deprecated";
        var newer = spec["versions"].Objects()
            .Where(v => v.Bool("served") != false && v.Bool("deprecated") != true)
            .Select(v => v.Str("name") ?? "")
            .Where(v => ResourceCatalog.VersionPriority(v) > ResourceCatalog.VersionPriority(deprecated))
            .OrderByDescending(ResourceCatalog.VersionPriority)
            .FirstOrDefault();
        return newer is null ? message : $"{message}; use {group}/{newer} {kind}";
    }
}
