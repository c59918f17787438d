/**
 * A user's own grants on one experiment or registered model: MLflow's
 * `experiments/permissions/*` and `registered-models/permissions/*` (auth/sqlalchemy_store.py:
 * create_experiment_permission … delete_registered_model_permission) with their validation and
 * messages, the creator's MANAGE after a create, and the upkeep after a rename or delete.
 */
import { alreadyExists, notFound } from '../protocol/errors.js';
import type { AuthStore, User, UserGrant, UserGrantType } from '../store/auth-store.js';
import { StoreConflict } from '../store/store-errors.js';
import type { Principal } from './authenticator.js';
import { validateGrant, WORKSPACE } from './permissions.js';
import { onConflict } from './store-conflict.js';
import { userNotFound } from './user-accounts.js';

export interface ResourceGrant {
  readonly resourceType: UserGrantType;
  readonly resourceId: string;
  readonly userId: number;
  readonly permission: string;
}

const duplicate = (type: UserGrantType, id: string, username: string) =>
  type === 'experiment'
    ? alreadyExists(`Experiment permission (experiment_id=${id}, username=${username}) already exists.`)
    : alreadyExists(`Registered model permission with workspace=${WORKSPACE}, name=${id} and username=${username} already exists.`);

const missing = (type: UserGrantType, id: string, username: string) =>
  type === 'experiment'
    ? notFound(`Experiment permission with experiment_id=${id} and username=${username} not found`)
    : notFound(`Registered model permission with workspace=${WORKSPACE}, name=${id} and username=${username} not found`);

export class ResourceGrants {
  /** `changed` runs after every change of a grant (the access control's grants cache forgets). */
  constructor(
    private readonly store: AuthStore,
    private readonly changed: () => void = () => undefined,
  ) {}

  private async user(username: string): Promise<User> {
    const user = await this.store.getUser(username);
    if (!user) throw userNotFound(username);
    return user;
  }

  async create(type: UserGrantType, resourceId: string, username: string, permission: string): Promise<ResourceGrant> {
    validateGrant(permission, type);
    const user = await this.user(username);
    const grant: UserGrant = { resourceType: type, resourceId, userId: user.id, permission };
    await onConflict(this.store.createUserGrant(grant), () => duplicate(type, resourceId, username));
    this.changed();
    return grant;
  }

  async get(type: UserGrantType, resourceId: string, username: string): Promise<ResourceGrant> {
    const user = await this.user(username);
    const grant = await this.store.getUserGrant(type, resourceId, user.id);
    if (!grant) throw missing(type, resourceId, username);
    return grant;
  }

  async list(type: UserGrantType, username: string): Promise<ResourceGrant[]> {
    return this.store.listUserGrants(type, (await this.user(username)).id);
  }

  async update(type: UserGrantType, resourceId: string, username: string, permission: string): Promise<ResourceGrant> {
    validateGrant(permission, type);
    const user = await this.user(username);
    const grant: UserGrant = { resourceType: type, resourceId, userId: user.id, permission };
    if (!(await this.store.updateUserGrant(grant))) throw missing(type, resourceId, username);
    this.changed();
    return grant;
  }

  async delete(type: UserGrantType, resourceId: string, username: string): Promise<void> {
    const user = await this.user(username);
    if (!(await this.store.deleteUserGrant(type, resourceId, user.id))) throw missing(type, resourceId, username);
    this.changed();
  }

  /**
   * The creator of an experiment or registered model gets MANAGE on it (auth/__init__.py:
   * set_can_manage_experiment_permission, set_can_manage_registered_model_permission; an upsert,
   * as grant_user_permission is). The edge calls this after a successful create.
   */
  async grantCreator(principal: Principal, type: UserGrantType, resourceId: string): Promise<void> {
    const grant: UserGrant = { resourceType: type, resourceId, userId: principal.userId, permission: 'MANAGE' };
    try {
      await this.store.createUserGrant(grant);
    } catch (err) {
      if (!(err instanceof StoreConflict)) throw err;
      await this.store.updateUserGrant(grant);
    }
    this.changed();
  }

  /** After a registered model is renamed (auth/__init__.py: rename_registered_model_permission). */
  async renamed(type: UserGrantType, from: string, to: string): Promise<void> {
    await this.store.renameResourceGrants(type, from, to);
    this.changed();
  }

  /** After a resource is deleted, so that a new one of that name inherits nothing (delete_can_manage_registered_model_permission). */
  async deleted(type: UserGrantType, resourceId: string): Promise<void> {
    await this.store.deleteResourceGrants(type, resourceId);
    this.changed();
  }
}
