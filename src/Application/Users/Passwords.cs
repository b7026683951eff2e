using FluentValidation;
using Microsoft.AspNetCore.Identity;

namespace Cocktail.Application.Users;

/// <summary>ASP.NET Core Identity's hasher (PBKDF2, versioned format), and the one password rule used everywhere.</summary>
public static class Passwords
{
    public const int MinimumLength = 10;
    public const int MaximumLength = 256;
    private static readonly PasswordHasher<UserCredential> Hasher = new();

    public static string Hash(string password) => Hasher.HashPassword(null!, password);

    public static bool Verify(string hash, string password) =>
        Hasher.VerifyHashedPassword(null!, hash, password) != PasswordVerificationResult.Failed;

    public static IRuleBuilderOptions<T, string> StrongPassword<T>(this IRuleBuilder<T, string> rule) =>
        rule.NotEmpty().WithMessage("Enter a password.")
            .MinimumLength(MinimumLength).WithMessage($"Passwords have at least {MinimumLength} characters.")
            .MaximumLength(MaximumLength).WithMessage($"Passwords have at most {MaximumLength} characters.");
}
