using BackupFunctions.Core.Network;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BackupFunctions.Core.Notifications;

/// <summary>The notification services and their options (section <c>Notifications</c>, checked at start-up).</summary>
public static class NotificationServices
{
    public static IServiceCollection AddBackupNotifications(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<NotificationOptions>().Bind(configuration.GetSection(NotificationOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<NotificationOptions>>(new NotificationOptionsValidator(name => configuration[name]));
        services.AddNetworkPolicy(configuration);

        services.AddHttpClient(WebhookSender.HttpClientName, client =>
            {
                // Each attempt has its own timeout (WebhookSender); the client's own would cut across retries.
                client.Timeout = Timeout.InfiniteTimeSpan;
                client.DefaultRequestHeaders.UserAgent.ParseAdd("BackupFunctions-Webhook/1");
            })
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                // Every connection goes to an address the policy allows, judged on what the URL's host resolves to at
                // that moment (a name that passed at create time and now resolves inward is refused; nothing is sent).
                ConnectCallback = sp.GetRequiredService<NetworkPolicy>().ConnectHttpAsync,
                // A proxy would connect to the webhook's host on our behalf, unjudged.
                UseProxy = false,
                // The signature vouches for the configured URL: a redirect elsewhere is a failure, not a new target.
                AllowAutoRedirect = false,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            })
            // The factory's loggers would write the full URL; paths and query strings of webhooks often hold tokens.
            .RemoveAllLoggers();

        services.TryAddSingleton<NotificationSetup>();
        services.TryAddSingleton<WebhookSender>();
        services.TryAddSingleton(sp => new EmailSender(
            sp.GetRequiredService<IOptions<NotificationOptions>>(), name => configuration[name], sp.GetRequiredService<ILogger<EmailSender>>()));
        services.TryAddSingleton<BackupNotifier>();
        return services;
    }
}
