using Cocktail.Domain.Common;
using FluentValidation;

namespace Cocktail.Application.Users;

public static class UserRules
{
    public static IRuleBuilderOptions<T, string> ValidUserName<T>(this IRuleBuilder<T, string> rule) =>
        rule.NotEmpty().WithMessage("Enter a user name.")
            .Must(DnsLabel.IsValid).WithMessage($"User names use {DnsLabel.Rule}.");

    public static IRuleBuilderOptions<T, string> ValidDisplayName<T>(this IRuleBuilder<T, string> rule) =>
        rule.NotEmpty().WithMessage("Enter a display name.")
            .MaximumLength(100).WithMessage("Display names have at most 100 characters.");
}
