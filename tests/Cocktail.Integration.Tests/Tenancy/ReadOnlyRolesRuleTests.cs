using System.Reflection;
using Cocktail.Application.Common;
using Marten;
using Wolverine;

namespace Cocktail.Integration.Tests.Tenancy;

/// <summary>
/// Auditors are refused every command by one rule in the dispatcher: a command is a request answering
/// <see cref="Accepted"/> or marked <see cref="WritesAttribute"/>. This keeps the rule honest: a request whose
/// handler can write (a document session, a message context, cascading messages) must be one of those.
/// </summary>
public sealed class ReadOnlyRolesRuleTests
{
    [Fact]
    public void every_request_whose_handler_can_write_is_a_command_the_auditor_rule_refuses()
    {
        var application = typeof(RequestDispatcher).Assembly;
        var requests = application.GetTypes()
            .Where(t => t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IRequest<>)))
            .ToList();
        var handlers = application.GetTypes().Where(t => t.Name.EndsWith("Handler", StringComparison.Ordinal))
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance).Where(m => m.Name == "Handle"))
            .ToList();

        var unclassified = requests
            .Where(r => r.GetCustomAttribute<AnonymousAttribute>() is null && !RequestKinds.IsCommand(r))
            .Where(r => handlers.Any(h => h.GetParameters().FirstOrDefault()?.ParameterType == r && CanWrite(h)))
            .Select(r => r.Name).Order().ToList();

        Assert.True(unclassified.Count == 0,
            "Requests whose handlers can write but which the auditor rule treats as queries (mark them [Writes]): " + string.Join(", ", unclassified));
        Assert.Contains(requests, RequestKinds.IsCommand);
    }

    private static bool CanWrite(MethodInfo handler) =>
        handler.GetParameters().Any(p => p.ParameterType == typeof(IDocumentSession) || p.ParameterType == typeof(IMessageContext) ||
                                         p.ParameterType == typeof(IMessageBus)) ||
        handler.ReturnType.ToString().Contains("ValueTuple", StringComparison.Ordinal);
}
