using FluentValidation;

namespace Cocktail.Web.Components.Shared;

/// <summary>
/// Lets a MudForm check each field with the command's own FluentValidation rules, so the console and the API refuse
/// the same input with the same words. One message per field: the first rule it breaks, as MudForm shows it.
/// </summary>
public static class FormValidation
{
    public static Func<object, string, Task<IEnumerable<string>>> For<TCommand>(IValidator<TCommand> validator, Func<TCommand> toCommand) =>
        async (_, propertyName) =>
        {
            var result = await validator.ValidateAsync(toCommand());
            return result.Errors.Where(e => e.PropertyName == propertyName).Select(e => e.ErrorMessage).Take(1).ToArray();
        };
}
