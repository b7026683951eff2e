namespace Cocktail.KubeSim.Auth;

/// <summary>An authenticated identity as the apiserver's user.Info sees it.</summary>
public sealed record UserInfo(string Name, string Uid, IReadOnlyList<string> Groups)
{
    public IReadOnlyDictionary<string, string[]> Extra { get; init; } = new Dictionary<string, string[]>();

    public const string MastersGroup = "system:masters";
    public const string AuthenticatedGroup = "system:authenticated";

    public static readonly UserInfo Anonymous = new("system:anonymous", "", ["system:unauthenticated"]);

    /// <summary>The identity KubeSim's own controllers act as; like kube-controller-manager it is fully privileged.</summary>
    public static readonly UserInfo ControllerManager = new("system:kube-controller-manager", "", [MastersGroup, AuthenticatedGroup]);

    public bool IsMaster => Groups.Contains(MastersGroup);

    /// <summary>Every authenticated request also carries system:authenticated, as the apiserver adds it.</summary>
    public static UserInfo Authenticated(string name, IEnumerable<string> groups, string uid = "")
    {
        var all = groups.ToList();
        if (!all.Contains(AuthenticatedGroup)) all.Add(AuthenticatedGroup);
        return new UserInfo(name, uid, all);
    }

    public static UserInfo ForServiceAccount(string ns, string name, string uid) =>
        Authenticated($"system:serviceaccount:{ns}:{name}", ["system:serviceaccounts", $"system:serviceaccounts:{ns}"], uid);
}
