using System.Text.Json;
using System.Text.RegularExpressions;
using Cocktail.Domain.Common;

namespace Cocktail.Domain.Registries;

/// <summary>The registries a workspace may pull from besides its own.</summary>
public enum ExternalRegistryKind
{
    DockerHub,
    Quay,
    Harbor,
    Ghcr,
    Ecr,
    Acr,
    Gcr,
}

/// <summary>
/// A registry a workspace pulls from. The credentials (a password, token, secret access key or service account key)
/// are kept encrypted beside the stream and never in an event: the events say only who added or changed what, and
/// whether the secret was replaced.
/// </summary>
public sealed record ExternalRegistryAdded(
    Guid RegistryId, Guid WorkspaceId, string WorkspaceName, string Name, ExternalRegistryKind Kind, string Server, string UserName,
    ActorRef AddedBy, DateTimeOffset AddedAt);

public sealed record ExternalRegistryChanged(
    Guid RegistryId, Guid WorkspaceId, string WorkspaceName, string Name, string Server, string UserName, bool SecretReplaced,
    ActorRef ChangedBy, DateTimeOffset ChangedAt);

public sealed record ExternalRegistryRemoved(
    Guid RegistryId, Guid WorkspaceId, string WorkspaceName, string Name, ActorRef RemovedBy, DateTimeOffset RemovedAt, string? Reason);

public sealed record ExternalRegistry(Guid Id, Guid WorkspaceId, string WorkspaceName, string Name, ExternalRegistryKind Kind, string Server, string UserName, bool Removed)
{
    public const string NoSuchRegistry = "No such external registry.";

    public static Decision Add(Guid id, Guid workspaceId, string workspaceName, string name, ExternalRegistryKind kind, string? server, string userName,
        string secret, ActorRef by, DateTimeOffset at)
    {
        var effectiveServer = ExternalRegistryRules.Server(kind, server);
        if (ExternalRegistryRules.Check(kind, effectiveServer, userName, secret) is { } refused) return refused;
        if (!ExternalRegistryRules.IsValidName(name)) return DomainError.Invalid(ExternalRegistryRules.NameRule, "name");
        return Decision.Accept(new ExternalRegistryAdded(id, workspaceId, workspaceName, name, kind, effectiveServer!, userName.Trim(), by, at));
    }

    /// <summary>The kind never changes; a missing server, user name or secret keeps the stored one.</summary>
    public Decision Change(string? server, string? userName, string? newSecret, string currentSecret, ActorRef by, DateTimeOffset at)
    {
        if (Removed) return DomainError.NotFound(NoSuchRegistry);
        var nextServer = server is null ? Server : ExternalRegistryRules.Server(Kind, server);
        var nextUser = userName?.Trim() ?? UserName;
        if (ExternalRegistryRules.Check(Kind, nextServer, nextUser, newSecret ?? currentSecret) is { } refused) return refused;
        var replaced = newSecret is not null && newSecret != currentSecret;
        if (nextServer == Server && nextUser == UserName && !replaced) return Decision.Nothing;
        return Decision.Accept(new ExternalRegistryChanged(Id, WorkspaceId, WorkspaceName, Name, nextServer!, nextUser, replaced, by, at));
    }

    public Decision Remove(ActorRef by, DateTimeOffset at, string? reason) =>
        Removed ? DomainError.NotFound(NoSuchRegistry)
            : Decision.Accept(new ExternalRegistryRemoved(Id, WorkspaceId, WorkspaceName, Name, by, at, RemovalReason.Optional(reason)));

    public static ExternalRegistry Create(ExternalRegistryAdded e) => new(e.RegistryId, e.WorkspaceId, e.WorkspaceName, e.Name, e.Kind, e.Server, e.UserName, false);

    public ExternalRegistry Apply(ExternalRegistryChanged e) => this with { Server = e.Server, UserName = e.UserName };

    public ExternalRegistry Apply(ExternalRegistryRemoved _) => this with { Removed = true };
}

/// <summary>
/// What each kind of registry accepts, as its own documentation describes it: the host names it serves, the user name
/// its clients log in with, and the shape of its secret. Cocktail checks what it can without calling the registry.
/// </summary>
public static partial class ExternalRegistryRules
{
    public const string NameRule = "a DNS label of at most 40 characters: lowercase letters, digits and '-', starting and ending with a letter or digit";

    /// <summary>The key Docker Hub's credentials have in a docker config (what <c>docker login</c> writes).</summary>
    public const string DockerHubConfigKey = "https://index.docker.io/v1/";

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^(?=.{1,253}(:|$))[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*(:[0-9]{1,5})?$")]
    private static partial Regex HostPattern();

    [GeneratedRegex(@"^[0-9]{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$")]
    private static partial Regex EcrHost();

    [GeneratedRegex(@"^(AKIA|ASIA)[A-Z0-9]{16}$")]
    private static partial Regex AwsAccessKeyId();

    [GeneratedRegex(@"^[a-z0-9]{5,50}\.azurecr\.(io|cn|us)$")]
    private static partial Regex AcrHost();

    [GeneratedRegex(@"^((us|eu|asia)\.)?gcr\.io$|^[a-z0-9-]+-docker\.pkg\.dev$")]
    private static partial Regex GcrHost();

    [GeneratedRegex("^[a-z0-9]{4,30}$")]
    private static partial Regex DockerId();

    public static bool IsValidName(string? name) => name is not null && NamePattern().IsMatch(name);

    /// <summary>The registry's host as image references use it: fixed for the public services, given for the others.</summary>
    public static string? Server(ExternalRegistryKind kind, string? server)
    {
        var given = server?.Trim().ToLowerInvariant();
        return kind switch
        {
            ExternalRegistryKind.DockerHub => "docker.io",
            ExternalRegistryKind.Quay => string.IsNullOrEmpty(given) ? "quay.io" : given,
            ExternalRegistryKind.Ghcr => "ghcr.io",
            ExternalRegistryKind.Gcr => string.IsNullOrEmpty(given) ? "gcr.io" : given,
            _ => string.IsNullOrEmpty(given) ? null : given,
        };
    }

    /// <summary>The key of the credentials in a <c>.dockerconfigjson</c>: what the kubelet matches image references against.</summary>
    public static string ConfigKey(ExternalRegistryKind kind, string server) => kind == ExternalRegistryKind.DockerHub ? DockerHubConfigKey : server;

    /// <summary>The refusal for credentials this kind of registry would never accept, or null.</summary>
    public static DomainError? Check(ExternalRegistryKind kind, string? server, string? userName, string? secret)
    {
        if (string.IsNullOrWhiteSpace(server)) return DomainError.Invalid($"A {Label(kind)} registry needs its server (host[:port]).", "server");
        if (!HostPattern().IsMatch(server)) return DomainError.Invalid("The server is a host name with an optional port, without a scheme or path.", "server");
        if (string.IsNullOrWhiteSpace(userName)) return DomainError.Invalid(UserRule(kind), "userName");
        if (string.IsNullOrEmpty(secret)) return DomainError.Invalid(SecretRule(kind), "password");
        if (secret.Length > 16384) return DomainError.Invalid("The secret is longer than 16384 characters.", "password");
        userName = userName.Trim();
        return kind switch
        {
            ExternalRegistryKind.DockerHub when !DockerId().IsMatch(userName) =>
                DomainError.Invalid("A Docker ID has 4 to 30 lowercase letters and digits.", "userName"),
            ExternalRegistryKind.Ecr when !EcrHost().IsMatch(server) =>
                DomainError.Invalid("An ECR registry is <account>.dkr.ecr.<region>.amazonaws.com.", "server"),
            ExternalRegistryKind.Ecr when !AwsAccessKeyId().IsMatch(userName) =>
                DomainError.Invalid(UserRule(kind), "userName"),
            ExternalRegistryKind.Ecr when secret.Length != 40 =>
                DomainError.Invalid(SecretRule(kind), "password"),
            ExternalRegistryKind.Acr when !AcrHost().IsMatch(server) =>
                DomainError.Invalid("An Azure Container Registry is <name>.azurecr.io.", "server"),
            ExternalRegistryKind.Gcr when !GcrHost().IsMatch(server) =>
                DomainError.Invalid("Google's registries are gcr.io, us.gcr.io, eu.gcr.io, asia.gcr.io or <region>-docker.pkg.dev.", "server"),
            ExternalRegistryKind.Gcr when userName is not ("_json_key" or "_json_key_base64" or "oauth2accesstoken") =>
                DomainError.Invalid(UserRule(kind), "userName"),
            ExternalRegistryKind.Gcr when userName == "_json_key" && !IsServiceAccountKey(secret) =>
                DomainError.Invalid("With _json_key the password is the service account's JSON key file (type service_account, with its private_key).", "password"),
            ExternalRegistryKind.Harbor or ExternalRegistryKind.Quay or ExternalRegistryKind.Ghcr or ExternalRegistryKind.Acr or ExternalRegistryKind.DockerHub
                when userName.Length > 255 => DomainError.Invalid("The user name has at most 255 characters.", "userName"),
            _ => null,
        };
    }

    public static string Label(ExternalRegistryKind kind) => kind switch
    {
        ExternalRegistryKind.DockerHub => "Docker Hub",
        ExternalRegistryKind.Quay => "Quay",
        ExternalRegistryKind.Harbor => "Harbor",
        ExternalRegistryKind.Ghcr => "GitHub Container Registry",
        ExternalRegistryKind.Ecr => "Amazon ECR",
        ExternalRegistryKind.Acr => "Azure Container Registry",
        ExternalRegistryKind.Gcr => "Google Artifact Registry / GCR",
        _ => kind.ToString(),
    };

    public static string UserRule(ExternalRegistryKind kind) => kind switch
    {
        ExternalRegistryKind.Ecr => "For ECR the user name is the IAM access key id (AKIA… or ASIA…): Cocktail exchanges it for ECR's 12-hour token.",
        ExternalRegistryKind.Gcr => "For Google's registries the user name is _json_key (a service account key), _json_key_base64 or oauth2accesstoken.",
        ExternalRegistryKind.Acr => "For ACR the user name is a service principal's id, a repository token's name or the admin user.",
        ExternalRegistryKind.Quay => "For Quay the user name is a user or a robot account (org+name).",
        ExternalRegistryKind.Harbor => "For Harbor the user name is a user or a robot account (robot$…).",
        _ => "Give the user name the registry knows.",
    };

    public static string SecretRule(ExternalRegistryKind kind) => kind switch
    {
        ExternalRegistryKind.Ecr => "For ECR the password is the IAM secret access key (40 characters).",
        ExternalRegistryKind.Gcr => "For Google's registries the password is the service account's JSON key (or an access token).",
        ExternalRegistryKind.Ghcr => "For GHCR the password is a personal access token with read:packages.",
        ExternalRegistryKind.DockerHub => "For Docker Hub the password is the account's password or, better, an access token.",
        _ => "Give the password or token.",
    };

    private static bool IsServiceAccountKey(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            return root.ValueKind == JsonValueKind.Object
                   && root.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == "service_account"
                   && root.TryGetProperty("private_key", out var key) && key.ValueKind == JsonValueKind.String;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
