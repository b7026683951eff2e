using Cocktail.Application.Common;
using Cocktail.Domain.Users;
using Marten;

namespace Cocktail.Application.Users.SigningIn;

public sealed record SignedInUser(Guid Id, string UserName, string DisplayName, PlatformRole Role);

/// <summary>
/// Checks a user name and password, counting failures towards a lockout. Every failure reads the same so that the
/// answer does not tell whether a user name exists.
/// </summary>
internal static class CredentialCheck
{
    private const string Refusal = "The user name or password is not right.";
    // Verifying against a real hash when the user does not exist keeps the time taken the same either way.
    private static readonly string DecoyHash = Passwords.Hash(Guid.NewGuid().ToString());

    public static async Task<Result<SignedInUser>> VerifyAsync(
        IDocumentSession session, string userName, string password, SignInOptions options, Actor caller,
        TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var user = await session.Query<UserView>().FirstOrDefaultAsync(u => u.UserName == userName, ct);
        var credential = user is null ? null : await session.LoadAsync<UserCredential>(user.Id, ct);
        if (user is null || credential is null)
        {
            Passwords.Verify(DecoyHash, password);
            return Failure.Unauthorized(Refusal);
        }

        // A locked account answers as a wrong password does (and takes as long): saying "locked" would tell anyone that
        // the user name exists. The user learns it from a platform admin, who sees the lock and can lift it.
        if (credential.LockedUntil > now)
        {
            Passwords.Verify(DecoyHash, password);
            return Failure.Unauthorized(Refusal);
        }

        if (!Passwords.Verify(credential.PasswordHash, password))
        {
            await RecordFailureAsync(session, user, credential, options, caller, now, ct);
            return Failure.Unauthorized(Refusal);
        }

        if (!user.Active) return Failure.Unauthorized(Refusal);

        if (credential.FailedAttempts > 0 || credential.LockedUntil is not null)
        {
            credential.FailedAttempts = 0;
            credential.LockedUntil = null;
            session.Store(credential);
        }
        return new SignedInUser(user.Id, user.UserName, user.DisplayName, user.Role);
    }

    private static async Task RecordFailureAsync(IDocumentSession session, UserView user, UserCredential credential,
        SignInOptions options, Actor caller, DateTimeOffset now, CancellationToken ct)
    {
        credential.FailedAttempts++;
        if (credential.FailedAttempts >= options.MaxFailedAttempts)
        {
            credential.LockedUntil = now + options.LockoutDuration;
            var stream = await session.Events.FetchForWriting<User>(user.Id, ct);
            var decision = stream.Aggregate!.LockOut(credential.FailedAttempts, credential.LockedUntil.Value, caller.SourceIp, now);
            stream.AppendMany(decision.Events.ToArray());
            credential.FailedAttempts = 0;
        }
        session.Store(credential);
    }
}
