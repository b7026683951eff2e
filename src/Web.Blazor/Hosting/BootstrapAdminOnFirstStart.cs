using System.Security.Cryptography;
using Cocktail.Application.Common;
using Cocktail.Application.Users.Bootstrapping;
using Wolverine;

namespace Cocktail.Web.Hosting;

/// <summary>On the very first start there are no users: create the platform admin and say how to sign in, once.</summary>
internal sealed class BootstrapAdminOnFirstStart(IMessageBus bus, IConfiguration configuration, ILogger<BootstrapAdminOnFirstStart> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        var fromEnvironment = configuration["COCKTAIL_ADMIN_PASSWORD"];
        var password = string.IsNullOrEmpty(fromEnvironment) ? GeneratePassword() : fromEnvironment;
        Result<BootstrapOutcome> outcome;
        try
        {
            outcome = await bus.InvokeAsync<Result<BootstrapOutcome>>(new BootstrapAdmin(password), ct);
        }
        catch (Exception e) when (ConflictExceptions.ToFailure(e) is not null)
        {
            // Two replicas started together on an empty database and the other one created the admin first.
            return;
        }
        if (outcome.Value is not { Created: true } created) return;

        var shown = string.IsNullOrEmpty(fromEnvironment) ? password : "(the value of COCKTAIL_ADMIN_PASSWORD)";
        Console.WriteLine();
        Console.WriteLine("  Cocktail created its first platform admin. Sign in with:");
        Console.WriteLine($"    user name: {created.UserName}");
        Console.WriteLine($"    password:  {shown}");
        Console.WriteLine("  This password is shown only now; change it under Account after signing in.");
        Console.WriteLine();
        logger.LogInformation("Bootstrap platform admin '{UserName}' created", created.UserName);
    }

    private static string GeneratePassword() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(15)).Replace('+', 'x').Replace('/', 'y');

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
