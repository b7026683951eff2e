namespace Cocktail.Application.Users.SigningIn;

public sealed class SignInOptions
{
    public const string Section = "Cocktail:SignIn";

    /// <summary>Failed attempts in a row before the account is locked.</summary>
    public int MaxFailedAttempts { get; set; } = 5;

    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>A console session ends after this long without activity.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(30);
}
