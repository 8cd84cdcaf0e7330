// The organisation hierarchy (county → marketing center → grid → micro-grid): a tree, forms to
// create, edit and move units, and on a grid the list of its villages with an outline preview.
import { Alert, Badge, Box, Button, Group, Modal, MultiSelect, ScrollArea, Select, Stack, Text, TextInput, Title, UnstyledButton } from '@mantine/core'
import { useEffect, useMemo, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { childLevel, type OrgTree, type OrgTreeNode } from '../../../../shared/api/org'
import { gridKinds, type GridKind, type OrgLevel } from '../../../../shared/domain'
import { call } from '../../api/client'
import { useCall } from '../../api/useCall'
import { ErrorAlert } from '../../shell/errors'
import { toastSaved } from '../../shell/toasts'
import { isUnsaved, useConfirmLeave, useUnsavedGuard } from '../../shell/unsaved'
import { orgFieldErrors } from './orgErrors'
import { VillageAssignment } from './VillageAssignment'

const flatten = (nodes: OrgTreeNode[]): OrgTreeNode[] => nodes.flatMap((n) => [n, ...flatten(n.children)])

export function OrgPanel() {
  const { t } = useTranslation()
  const tree = useCall('org.tree', {})
  const [selectedId, setSelectedId] = useState<string | undefined>()
  const [dialog, setDialog] = useState<'edit' | 'create' | 'move' | undefined>()
  const nodes = useMemo(() => flatten(tree.value?.roots ?? []), [tree.value])
  const selected = nodes.find((n) => n.id === selectedId)
  // Another unit swaps the village ticks out: unapplied ones ask first.
  const { dialog: leaveDialog, ask } = useConfirmLeave()
  const select = (id: string) => ask(isUnsaved('village-assignment'), () => setSelectedId(id))

  return (
    <Box data-testid="org-panel" h="100%" style={{ display: 'flex', gap: 'var(--mantine-spacing-md)', minHeight: 0 }}>
      {leaveDialog}
      <Stack gap="xs" w={360} style={{ flexShrink: 0, minHeight: 0 }}>
        <Alert color="yellow" variant="light" p="xs" fz="xs" data-testid="org-hq-note">
          {t('org.hqNote')}
        </Alert>
        {tree.error !== undefined && <ErrorAlert error={tree.error} onRetry={tree.reload} />}
        <ScrollArea type="auto" style={{ flex: 1, minHeight: 0 }} data-testid="org-tree">
          {(tree.value?.roots ?? []).map((root) => (
            <TreeNode key={root.id} node={root} depth={0} selectedId={selectedId} onSelect={select} />
          ))}
        </ScrollArea>
      </Stack>
      <Stack gap="sm" style={{ flex: 1, minWidth: 0, minHeight: 0 }}>
        {!selected && <Text c="dimmed">{t('org.select')}</Text>}
        {selected && (
          <>
            <UnitHeader node={selected} onEdit={() => setDialog('edit')} onCreate={() => setDialog('create')} onMove={() => setDialog('move')} />
            {selected.level === 'grid' && <VillageAssignment key={selected.id} grid={selected} onApplied={tree.reload} />}
          </>
        )}
      </Stack>
      {selected && tree.value && dialog && (
        <UnitDialog
          mode={dialog}
          node={selected}
          tree={tree.value}
          nodes={nodes}
          onClose={() => setDialog(undefined)}
          onSaved={(id) => {
            setDialog(undefined)
            setSelectedId(id)
            tree.reload()
          }}
        />
      )}
    </Box>
  )
}

function TreeNode({ node, depth, selectedId, onSelect }: { node: OrgTreeNode; depth: number; selectedId?: string; onSelect: (id: string) => void }) {
  const { t } = useTranslation()
  const selected = node.id === selectedId
  return (
    <>
      <UnstyledButton
        onClick={() => onSelect(node.id)}
        data-org-code={node.code}
        data-org-level={node.level}
        aria-selected={selected}
        w="100%"
        px="xs"
        py={4}
        style={{ paddingLeft: 8 + depth * 18, borderRadius: 4, background: selected ? 'var(--mantine-primary-color-light)' : undefined }}
      >
        <Group gap={6} wrap="nowrap">
          <Badge size="xs" variant="light" color={{ county: 'dark', center: 'blue', grid: 'teal', microgrid: 'grape' }[node.level]} style={{ flexShrink: 0 }}>
            {t(`org.level.${node.level}`)}
          </Badge>
          <Text size="sm" truncate style={{ flex: 1 }}>
            {node.name}
          </Text>
          <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
            {node.managerName ?? t('org.noManager')} · {t('org.villages', { count: node.villages })}
          </Text>
        </Group>
      </UnstyledButton>
      {node.children.map((child) => (
        <TreeNode key={child.id} node={child} depth={depth + 1} selectedId={selectedId} onSelect={onSelect} />
      ))}
    </>
  )
}

function UnitHeader({ node, onEdit, onCreate, onMove }: { node: OrgTreeNode; onEdit: () => void; onCreate: () => void; onMove: () => void }) {
  const { t } = useTranslation()
  const below = childLevel[node.level]
  return (
    <Stack gap={4} data-testid="org-unit">
      <Group justify="space-between" wrap="nowrap">
        <Title order={3} size="h4" data-testid="org-unit-name">
          {node.name}
        </Title>
        <Group gap="xs" wrap="nowrap">
          <Button size="xs" variant="light" onClick={onEdit} data-testid="org-edit">
            {t('org.edit')}
          </Button>
          {below && (
            <Button size="xs" variant="light" onClick={onCreate} data-testid="org-add-child">
              {t('org.addChild', { level: t(`org.level.${below}`) })}
            </Button>
          )}
          {node.parentId && (
            <Button size="xs" variant="light" onClick={onMove} data-testid="org-move">
              {t('org.move')}
            </Button>
          )}
        </Group>
      </Group>
      <Text size="sm" c="dimmed">
        <span style={{ fontFamily: 'monospace' }} data-testid="org-unit-code">
          {node.code}
        </span>{' '}
        · {t(`org.level.${node.level}`)}
        {node.gridKind ? ` · ${t(`gridKind.${node.gridKind}`)}` : ''} · {t('org.manager')}: {node.managerName ?? t('org.noManager')}
        {node.staff.length > 0 ? ` · ${t('org.staff')}: ${node.staff.map((s) => s.name).join('、')}` : ''} · {t('org.villages', { count: node.villages })}
      </Text>
    </Stack>
  )
}

interface Draft {
  code: string
  name: string
  gridKind: GridKind | null
  managerUserId: string | null
  staffUserIds: string[]
  parentId: string | null
}

function UnitDialog({
  mode,
  node,
  tree,
  nodes,
  onClose,
  onSaved,
}: {
  mode: 'edit' | 'create' | 'move'
  node: OrgTreeNode
  tree: OrgTree
  nodes: OrgTreeNode[]
  onClose: () => void
  onSaved: (id: string) => void
}) {
  const { t } = useTranslation()
  const level: OrgLevel = mode === 'create' ? childLevel[node.level]! : node.level
  const [initial] = useState<Draft>(() =>
    mode === 'edit'
      ? {
          code: node.code,
          name: node.name,
          gridKind: node.gridKind,
          managerUserId: node.managerUserId,
          staffUserIds: node.staff.map((s) => s.id),
          parentId: node.parentId,
        }
      : {
          code: mode === 'create' ? `${node.code}-` : node.code,
          name: '',
          gridKind: null,
          managerUserId: null,
          staffUserIds: [],
          parentId: mode === 'create' ? node.id : null,
        },
  )
  const [draft, setDraft] = useState<Draft>(initial)
  const dirty = JSON.stringify(draft) !== JSON.stringify(initial)
  const { dialog, guard } = useUnsavedGuard('org-dialog', dirty)
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  useEffect(() => setError(undefined), [mode])
  const saved = (id: string) => {
    toastSaved(t('field.undo.saved'))
    onSaved(id)
  }
  const errors = orgFieldErrors(t, error)
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }))
  const people = tree.people.map((p) => ({ value: p.id, label: p.name }))
  const parents = nodes
    .filter((n) => childLevel[n.level] === node.level && n.id !== node.parentId)
    .map((n) => ({ value: n.id, label: `${n.name}（${n.code}）` }))

  const save = async () => {
    setBusy(true)
    setError(undefined)
    try {
      if (mode === 'create') {
        const created = await call('org.create', {
          parentId: node.id,
          code: draft.code,
          name: draft.name,
          level,
          gridKind: level === 'grid' ? draft.gridKind : null,
          managerUserId: draft.managerUserId,
          staffUserIds: draft.staffUserIds,
        })
        saved(created.id)
      } else if (mode === 'edit') {
        const patch: Record<string, unknown> = {}
        if (draft.code !== node.code) patch.code = draft.code
        if (draft.name !== node.name) patch.name = draft.name
        if (level === 'grid' && draft.gridKind !== node.gridKind) patch.gridKind = draft.gridKind
        if (draft.managerUserId !== node.managerUserId) patch.managerUserId = draft.managerUserId
        if (draft.staffUserIds.join() !== node.staff.map((s) => s.id).join()) patch.staffUserIds = draft.staffUserIds
        if (Object.keys(patch).length === 0) return onClose()
        await call('org.update', { id: node.id, patch })
        saved(node.id)
      } else {
        await call('org.move', { id: node.id, parentId: draft.parentId ?? '' })
        saved(node.id)
      }
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }
  const title =
    mode === 'create'
      ? t('org.createTitle', { level: t(`org.level.${level}`) })
      : mode === 'edit'
        ? t('org.editTitle', { name: node.name })
        : t('org.moveTitle', { name: node.name })
  const hasFieldErrors = Object.keys(errors).length > 0

  return (
    <>
      {dialog}
      <Modal opened onClose={() => guard(onClose)} title={title} size="md" data-testid="org-dialog">
        <form
          onSubmit={(event) => {
            event.preventDefault()
            void save()
          }}
        >
          <Stack gap="sm">
            {mode === 'move' ? (
              <Select
                label={t('org.moveTo')}
                data={parents}
                value={draft.parentId}
                onChange={(v) => set('parentId', v)}
                error={errors.parentId}
                searchable
                data-field="parentId"
              />
            ) : (
              <>
                <TextInput
                  label={t('org.code')}
                  required
                  value={draft.code}
                  onChange={(e) => set('code', e.currentTarget.value)}
                  error={errors.code}
                  data-field="code"
                />
                <TextInput
                  label={t('org.name')}
                  required
                  value={draft.name}
                  onChange={(e) => set('name', e.currentTarget.value)}
                  error={errors.name}
                  data-field="name"
                />
                {level === 'grid' && (
                  <Select
                    label={t('org.gridKind')}
                    required
                    data={gridKinds.map((k) => ({ value: k, label: t(`gridKind.${k}`) }))}
                    value={draft.gridKind}
                    onChange={(v) => set('gridKind', v as GridKind | null)}
                    error={errors.gridKind}
                    data-field="gridKind"
                  />
                )}
                <Select
                  label={t('org.manager')}
                  data={people}
                  value={draft.managerUserId}
                  onChange={(v) => set('managerUserId', v)}
                  error={errors.managerUserId}
                  clearable
                  searchable
                  data-field="managerUserId"
                />
                <MultiSelect
                  label={t('org.staff')}
                  data={people}
                  value={draft.staffUserIds}
                  onChange={(v) => set('staffUserIds', v)}
                  error={errors.staffUserIds}
                  searchable
                  clearable
                  data-field="staffUserIds"
                />
                {errors.level && (
                  <Text c="red" size="sm">
                    {errors.level}
                  </Text>
                )}
                {errors.parentId && (
                  <Text c="red" size="sm">
                    {errors.parentId}
                  </Text>
                )}
              </>
            )}
            {error !== undefined && !hasFieldErrors && <ErrorAlert error={error} onClose={() => setError(undefined)} />}
            <Group justify="flex-end" gap="xs">
              <Button variant="default" onClick={() => guard(onClose)}>
                {t('org.cancel')}
              </Button>
              <Button type="submit" loading={busy} data-testid="org-save">
                {mode === 'create' ? t('org.create') : t('org.save')}
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  )
}
