namespace Cocktail.Application.Users;

/// <summary>
/// A user's password hash and sign-in failure count. Kept out of the event store on purpose: secrets must not live
/// forever in an append-only log that auditors read. Written in the same transaction as the user's events.
/// </summary>
public sealed class UserCredential
{
    public Guid Id { get; set; }
    public string PasswordHash { get; set; } = "";
    public int FailedAttempts { get; set; }
    public DateTimeOffset? LockedUntil { get; set; }
}
