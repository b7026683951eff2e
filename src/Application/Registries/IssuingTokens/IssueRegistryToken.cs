using System.Text;
using Cocktail.Application.ApiTokens;
using Cocktail.Application.ApiTokens.Authenticating;
using Cocktail.Application.Common;
using Cocktail.Application.Users.SigningIn;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Registries;
using Cocktail.Domain.Users;
using FluentValidation;
using Marten;
using Microsoft.Extensions.Options;

namespace Cocktail.Application.Registries.IssuingTokens;

/// <summary>
/// A token request from a registry client (Docker Registry v2 token authentication): the <c>service</c> and
/// <c>scope</c> query parameters, the optional <c>account</c>, and the Basic credentials if the client sent any.
/// </summary>
public sealed record IssueRegistryToken(string? Service, IReadOnlyList<string> Scopes, string? Account, string? UserName,
    [property: Secret] string? Password, string? SourceIp = null)
{
    private bool PrintMembers(StringBuilder builder) => Redaction.PrintMembers(this, builder);
}

/// <summary>The realm's answer, in the token specification's shape.</summary>
public sealed record RegistryToken([property: Secret] string Token, int ExpiresIn, DateTimeOffset IssuedAt, string Subject, IReadOnlyList<RegistryAccess> Access)
{
    private bool PrintMembers(StringBuilder builder) => Redaction.PrintMembers(this, builder);
}

public sealed class IssueRegistryTokenValidator : AbstractValidator<IssueRegistryToken>
{
    public const int MaxScopes = 32;

    public IssueRegistryTokenValidator(IOptions<RegistryOptions> options)
    {
        RuleFor(x => x.Service).Must(s => s is null || s == options.Value.Service)
            .WithMessage(x => $"This token server signs for the service '{options.Value.Service}', not '{x.Service}'.");
        RuleFor(x => x.Scopes).Must(s => s.Count <= MaxScopes).WithMessage($"Ask for at most {MaxScopes} scopes at once.");
        RuleForEach(x => x.Scopes).Must(s => s.Length <= RegistryScope.MaxLength)
            .WithMessage($"A scope is at most {RegistryScope.MaxLength} characters.");
        RuleForEach(x => x.Scopes).Must(s => s.Length > RegistryScope.MaxLength || RegistryScope.TryParse(s, out _))
            .WithMessage("A scope reads type:name:actions, for example repository:shop/web:pull,push.");
        RuleFor(x => x.Account).Must((x, account) => account is null || x.UserName is null ||
                string.Equals(account, x.UserName, StringComparison.OrdinalIgnoreCase))
            .WithMessage("The account must be the user name the credentials are for.");
        RuleFor(x => x.UserName).MaximumLength(256);
        RuleFor(x => x.Password).MaximumLength(1024);
    }
}

/// <summary>
/// The realm: who is asking (a user by password or API token, a robot, or nobody), and a token granting exactly the
/// requested actions that the rules allow. Wrong credentials are refused (401); a scope the subject may not have is
/// left out, so the registry itself answers 401/403 for it, as the specification says.
/// </summary>
public sealed class RegistryTokenRealm(IDocumentSession session, ApiTokenAuthenticator apiTokens, RobotAuthenticator robots,
    IRegistryTokenIssuer issuer, IValidator<IssueRegistryToken> validator, IOptions<RegistryOptions> options,
    IOptions<SignInOptions> signIn, TimeProvider clock)
{
    const string Refusal = "The user name or password is not right, or the robot account has expired or was revoked.";

    public async Task<Result<RegistryToken>> IssueAsync(IssueRegistryToken request, CancellationToken ct)
    {
        var validation = await validator.ValidateAsync(request, ct);
        if (!validation.IsValid)
            return new Failure(FailureKind.Invalid, "The token request has invalid fields.", validation.Errors
                .GroupBy(e => QueryParameter(FieldNames.ToJson(e.PropertyName)))
                .ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).Distinct().ToArray()));

        var subject = await AuthenticateAsync(request, ct);
        if (subject is null) return Failure.Unauthorized(Refusal);

        var access = await DecideAsync(subject, request.Scopes, ct);
        var lifetime = options.Value.TokenLifetime;
        var token = issuer.Issue(subject.Name, access, lifetime);
        return new RegistryToken(token, (int)lifetime.TotalSeconds, clock.GetUtcNow(), subject.Name, access);
    }

    /// <summary>Field errors name the query parameters the client sent: <c>scope</c>, not <c>scopes[2]</c>.</summary>
    static string QueryParameter(string field) => field.Split('[')[0] is var name && name == "scopes" ? "scope" : name;

    async Task<RegistrySubject?> AuthenticateAsync(IssueRegistryToken request, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(request.UserName) && string.IsNullOrEmpty(request.Password)) return RegistrySubject.Anonymous;
        if (string.IsNullOrEmpty(request.UserName) || string.IsNullOrEmpty(request.Password)) return null;

        if (RobotNames.LooksLikeRobot(request.UserName))
            return await robots.AuthenticateAsync(request.UserName, request.Password, ct);

        if (ApiTokenSecrets.LooksLikeToken(request.Password))
        {
            // An API token in place of the password (`docker login -u alice -p ckt_...`): fast, and no lockout to count.
            var owner = await apiTokens.AuthenticateAsync(request.Password, ct);
            return owner is not null && string.Equals(owner.UserName, request.UserName.Trim(), StringComparison.OrdinalIgnoreCase)
                ? RegistrySubject.User(owner.Id, owner.UserName, owner.Role)
                : null;
        }

        var caller = new Actor(Guid.Empty, "anonymous", PlatformRole.User, request.SourceIp);
        var checkedCredentials = await CredentialCheck.VerifyAsync(session, request.UserName.Trim().ToLowerInvariant(),
            request.Password, signIn.Value, caller, clock, ct);
        // Failed attempts count towards the lockout, as at the console's sign-in.
        await session.SaveChangesAsync(ct);
        return checkedCredentials.Value is { } user ? RegistrySubject.User(user.Id, user.UserName, user.Role) : null;
    }

    async Task<IReadOnlyList<RegistryAccess>> DecideAsync(RegistrySubject subject, IReadOnlyList<string> requested, CancellationToken ct)
    {
        if (subject.IsAnonymous || requested.Count == 0) return [];
        var scopes = requested.Select(s => RegistryScope.TryParse(s, out var scope) ? scope : null).OfType<RegistryScope>().ToList();
        var workspaceNames = scopes.Where(s => s.Type == "repository")
            .Select(s => RegistryAccessRules.WorkspaceOf(s.Name)).OfType<string>().Distinct().ToArray();
        var workspaces = workspaceNames.Length == 0
            ? []
            : (await session.Query<WorkspaceView>().Where(w => workspaceNames.Contains(w.Name)).ToListAsync(ct)).ToDictionary(w => w.Name);

        var access = new List<RegistryAccess>();
        foreach (var scope in scopes)
        {
            var allowed = scope.Type switch
            {
                "repository" => RegistryAccessRules.WorkspaceOf(scope.Name) is { } name && workspaces.TryGetValue(name, out var workspace)
                    ? RegistryAccessRules.AllowedIn(subject, workspace.Id, subject.UserId is { } id ? workspace.RoleOf(id) : null)
                    : [],
                "registry" when scope.Name == "catalog" => RegistryAccessRules.AllowedOnCatalog(subject),
                _ => [],
            };
            if (RegistryAccessRules.Grant(scope, allowed) is { } granted) access.Add(granted);
        }
        return access;
    }
}
