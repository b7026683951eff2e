namespace Cocktail.KubeSim.Discovery;

/// <summary>What discovery says about one resource of one group/version, plus how KubeSim stores it.</summary>
public sealed record ResourceType(
    string Group,
    string Version,
    string Resource,
    string Kind,
    bool Namespaced,
    IReadOnlyList<string> Verbs)
{
    public string SingularName { get; init; } = Kind.ToLowerInvariant();
    public IReadOnlyList<string> ShortNames { get; init; } = [];
    public IReadOnlyList<string> Categories { get; init; } = [];
    public IReadOnlyDictionary<string, Subresource> Subresources { get; init; } = new Dictionary<string, Subresource>();

    /// <summary>The CRD version behind a custom resource (schema, printer columns, deprecation); null for built-ins.</summary>
    public CustomResourceVersion? Custom { get; init; }

    /// <summary>Review-style resources (SelfSubjectAccessReview, TokenReview...) are computed per request, never stored.</summary>
    public bool IsVirtual => !Verbs.Contains("get") && Verbs.Contains("create");

    public string GroupVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";
    public string ListKind => Kind + "List";
    public string Qualified => Group.Length == 0 ? Resource : $"{Resource}.{Group}";

    /// <summary>
    /// Objects are stored once per group/resource whatever version they are requested in, like etcd does with its
    /// storage version. Event types of core/v1 and events.k8s.io/v1 share one store, as on a real server.
    /// </summary>
    public string StorageKey => Resource == "events" && Group is "" or "events.k8s.io" ? "events" : $"{Group}/{Resource}";

    public bool Allows(string verb) => Verbs.Contains(verb);
}

/// <summary>A subresource such as pods/status, deployments/scale or serviceaccounts/token.</summary>
public sealed record Subresource(string Name, string Group, string Version, string Kind, IReadOnlyList<string> Verbs);
