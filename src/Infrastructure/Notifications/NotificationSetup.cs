using Cocktail.Application.Notifications.Delivering;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Cocktail.Infrastructure.Notifications;

public static class NotificationSetup
{
    /// <summary>The sender and its named HttpClient: a timeout of its own, no redirects, and no request logging (URLs carry tokens).</summary>
    public static IServiceCollection AddNotificationDelivery(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<NotificationOptions>(configuration.GetSection(NotificationOptions.Section));
        services.AddHttpClient(NotificationSender.HttpClientName, (s, client) =>
            {
                client.Timeout = s.GetRequiredService<IOptions<NotificationOptions>>().Value.Timeout;
                client.DefaultRequestHeaders.UserAgent.ParseAdd("Cocktail-Notifications/1");
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            .RemoveAllLoggers();
        services.AddSingleton<INotificationSender, NotificationSender>();
        return services;
    }
}
